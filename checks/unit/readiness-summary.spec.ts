import type { PollWaitRecord } from '../../helpers/readiness/wait';
import { recordsFromAttachments, renderMarkdown, renderText, summarize } from '../../helpers/readiness/summary';
import { LINE_WIDTH } from '../../helpers/reports/text-lines';
import { compareSummaryWithSteps, nothingToCheck, waitStepsOf } from '../../helpers/readiness/summary-check';
import { expect, test } from '../../fixtures';

const wait = (
  operation: string,
  outcome: PollWaitRecord['outcome'],
  attempts: number,
  observedTimeToReadyMs?: number,
): PollWaitRecord => ({
  operation,
  subject: 'x',
  slaMs: 10_000,
  startedAt: '2026-11-23T10:00:00.000Z',
  outcome,
  provoked: false,
  attempts,
  elapsedMs: observedTimeToReadyMs ?? 10_000,
  observedTimeToReadyMs,
  // Readiness is estimated 100 ms before it was observed.
  estimatedTimeToReadyMs: observedTimeToReadyMs === undefined ? undefined : observedTimeToReadyMs - 100,
  timeToReadyMs: observedTimeToReadyMs,
  bracket: {
    lastNotReadyMs: observedTimeToReadyMs === undefined ? undefined : observedTimeToReadyMs - 200,
    firstReadyMs: observedTimeToReadyMs,
  },
  phases: [],
  lastObservation: undefined,
  finalProbe: undefined,
  minProbeBudgetMs: 100,
  timeline: [],
});

// A time to ready as a wait step's parameter shows it.
const shown = (value: number | undefined, outcome: string) =>
  value === undefined ? `not ready (${outcome})` : `${value} ms`;

const records = [
  ...[1_000, 1_200, 1_400, 1_600, 2_800].map((ms, i) => wait('asset provisioning', 'ready', i + 1, ms)),
  wait('asset provisioning', 'timeout', 40),
  wait('asset provisioning', 'unexpected-status', 1),
  wait('image generation', 'ready', 2, 900),
];

test('a summary per operation: observed and estimated time to ready, attempts, SLA share, breaches and failures', () => {
  const summary = summarize(records, 20_000, { now: new Date('2026-11-23T10:05:00Z') });
  expect(summary).toMatchObject({
    runDurationMs: 20_000,
    waits: 8,
    waitedMs: 1_000 + 1_200 + 1_400 + 1_600 + 2_800 + 10_000 + 10_000 + 900,
  });
  expect(summary.operations[0]).toEqual({
    operation: 'asset provisioning',
    waits: 7,
    ready: 5,
    observedTimeToReadyMs: { p50: 1_400, p95: 2_800, max: 2_800 },
    estimatedTimeToReadyMs: { p50: 1_300, p95: 2_700, max: 2_700 },
    // The stuck wait's 40 polls stay out of the attempts to ready.
    attempts: {
      ready: { mean: 3, max: 5 },
      slaBreaches: { mean: 40, max: 40 },
      failures: { mean: 1, max: 1 },
      provoked: { mean: null, max: null },
    },
    slaMs: 10_000,
    p95ShareOfSlaPercent: 28,
    pushDelayMs: { p50: null, p95: null, max: null },
    slaBreaches: 1,
    failures: 1,
    provoked: 0,
    waitedMs: 28_000,
  });
  expect(summary.operations[1]).toMatchObject({
    operation: 'image generation',
    waits: 1,
    observedTimeToReadyMs: { p95: 900 },
  });
});

test('records written before the times to ready had their names count as observed times', () => {
  const { observedTimeToReadyMs: _observed, estimatedTimeToReadyMs: _estimated, ...older } = wait('x', 'ready', 2, 700);
  const [record] = recordsFromAttachments([
    { name: 'readiness timeline', contentType: 'application/json', body: Buffer.from(JSON.stringify(older)) },
  ]);
  expect(record?.observedTimeToReadyMs).toBe(700);
  expect(record?.estimatedTimeToReadyMs).toBeUndefined();
  expect(summarize([record!], 1_000).operations[0]).toMatchObject({
    observedTimeToReadyMs: { p50: 700 },
    estimatedTimeToReadyMs: { p50: null },
  });
});

test('the Markdown and the printed summary name every operation and its figures', () => {
  const summary = summarize(records, 20_000);
  const markdown = renderMarkdown(summary);
  expect(markdown).toContain(
    '| operation | waits | ready | observed p50 | observed p95 | observed max | estimated p50 | attempts to ready mean/max | SLA | observed p95 of SLA | push delay p95 | SLA breaches | failures | provoked |',
  );
  expect(markdown).toContain(
    '| asset provisioning | 7 | 5 | 1.4 s | 2.8 s | 2.8 s | 1.3 s | 3 / 5 | 10.0 s | 28 % | – | 1 (40 attempts) | 1 (1 attempt) | 0 |',
  );
  expect(markdown).toContain('Observed time to ready runs from the start of a wait');
  expect(markdown).toContain('Estimated time to ready is the middle of the bracket');
  expect(renderText(summary, 'reports/readiness/readiness-summary.md').split('\n')).toEqual([
    'Readiness summary: 8 waits took 28.9 s in all, during a run of 20.0 s. Times to ready are observed; attempts are per',
    '  ready wait.',
    '  operation           ready   p50     p95     max     attempts  p95 of SLA',
    '  asset provisioning  5 of 7  1.4 s   2.8 s   2.8 s   3 / 5     28 % of 10.0 s',
    '  image generation    1 of 1  900 ms  900 ms  900 ms  2 / 2     9 % of 10.0 s',
    '  SLA breaches: asset provisioning 1 (40 attempts)',
    '  failures: asset provisioning 1 (1 attempt)',
    '  details: reports/readiness/readiness-summary.md',
  ]);
});

test('a push wait tells how late its push came, after the completion by the server clock', () => {
  const pushed = (ms: number) => ({
    ...wait('image generation (webhook)', 'ready', 1, 1_000),
    receivedAfterCompletionMs: ms,
  });
  const [record] = recordsFromAttachments([
    { name: 'readiness timeline', contentType: 'application/json', body: Buffer.from(JSON.stringify(pushed(40))) },
  ]);
  const summary = summarize([record!, pushed(120), pushed(10)], 5_000);
  expect(summary.operations[0]?.pushDelayMs).toEqual({ p50: 40, p95: 120, max: 120 });
  expect(renderText(summary)).toContain('  push delay p95: image generation (webhook) 120 ms');
});

test('no printed line is longer than a terminal, whatever the operations are called', () => {
  const long = 'provisioning of the enterprise workspace, certificate and initial assets for a new member';
  const many = Array.from({ length: 12 }, (_, i) => ({
    ...wait(`${long} ${i}`, 'timeout', 40),
    provoked: i % 2 === 0,
  }));
  const text = renderText(summarize([...many, wait(long, 'ready', 3, 1_234)], 60_000), 'reports/readiness/x.md');
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(LINE_WIDTH);
  expect(text).toContain('  SLA breaches: provisioning of the enterprise');
  expect(text).toContain('  provoked on purpose: provisioning of the enterprise');
});

test('the summary is checked against the parameters of the wait steps in the report', () => {
  const summary = summarize(records, 20_000);
  const result = {
    steps: records.map((record) => ({
      name: `Wait for ${record.operation}: x`,
      parameters: [
        { name: 'operation', value: record.operation },
        { name: 'outcome', value: record.outcome },
        { name: 'attempts', value: String(record.attempts) },
        { name: 'observed time to ready', value: shown(record.observedTimeToReadyMs, record.outcome) },
        { name: 'estimated time to ready', value: shown(record.estimatedTimeToReadyMs, record.outcome) },
      ],
      steps: [],
    })),
  };
  const steps = waitStepsOf(result);
  expect(compareSummaryWithSteps(summary, steps)).toEqual([]);
  expect(compareSummaryWithSteps(summary, steps.slice(1))).toEqual([
    'asset provisioning: waits is 7 in the summary, 6 in the steps',
    'asset provisioning: ready is 5 in the summary, 4 in the steps',
    'asset provisioning: attempts mean (ready) is 3 in the summary, 3.5 in the steps',
  ]);
});

test('steps written before the times to ready had their names are read as observed times', () => {
  const step = (timeToReady: string) => ({
    parameters: [
      { name: 'operation', value: 'image generation' },
      { name: 'outcome', value: 'ready' },
      { name: 'attempts', value: '3' },
      { name: 'time to ready', value: timeToReady },
    ],
  });
  expect(waitStepsOf({ steps: [step('812 ms')] })).toEqual([
    {
      operation: 'image generation',
      outcome: 'ready',
      attempts: 3,
      observedTimeToReadyMs: 812,
      estimatedTimeToReadyMs: undefined,
      showsEstimate: false,
    },
  ]);
});

test('a wait on a push counts its messages, and its estimate is checked only where its steps show one', () => {
  const pushed = { ...wait('image generation (sse)', 'ready', 3, 640) };
  const summary = summarize([pushed], 1_000);
  const steps = waitStepsOf({
    steps: [
      {
        parameters: [
          { name: 'operation', value: 'image generation (sse)' },
          { name: 'outcome', value: 'ready' },
          { name: 'messages', value: '3' },
          { name: 'observed time to ready', value: '640 ms' },
        ],
      },
    ],
  });
  expect(steps).toMatchObject([{ attempts: 3, observedTimeToReadyMs: 640, showsEstimate: false }]);
  expect(compareSummaryWithSteps(summary, steps)).toEqual([]);
  expect(compareSummaryWithSteps(summary, [{ ...steps[0]!, observedTimeToReadyMs: 700 }])).toEqual([
    'image generation (sse): observed p50 is 640 in the summary, 700 in the steps',
    'image generation (sse): observed p95 is 640 in the summary, 700 in the steps',
    'image generation (sse): observed max is 640 in the summary, 700 in the steps',
  ]);
});

test('a check with nothing to compare says why instead of passing', () => {
  expect(nothingToCheck({ waits: 8 }, 0, 0)).toBe('holds no test result: run the tests first (npx playwright test)');
  expect(nothingToCheck({ waits: 8 }, 12, 5)).toBe(
    'holds 5 wait steps, fewer than the 8 waits the readiness summary claims: the results are not of the run the summary describes',
  );
  expect(nothingToCheck({ waits: 8 }, 12, 8)).toBeUndefined();
  expect(nothingToCheck({ waits: 0 }, 3, 0)).toBeUndefined();
});

test('provoked failures are counted apart, and an operation never ready shows as such', () => {
  const provoked = { ...wait('image generation', 'timeout', 12), provoked: true };
  const summary = summarize([provoked, wait('image generation', 'terminal-failure', 1)], 12_000);
  expect(summary.operations[0]).toMatchObject({
    waits: 2,
    ready: 0,
    slaBreaches: 0,
    failures: 1,
    provoked: 1,
    attempts: { ready: { mean: null }, provoked: { mean: 12, max: 12 }, failures: { mean: 1, max: 1 } },
  });
  const text = renderText(summary);
  expect(text).toContain('  image generation  0 of 2  –    –    –    –         – of 10.0 s');
  expect(text).toContain('  failures: image generation 1 (1 attempt)');
  expect(text).toContain('  provoked on purpose: image generation 1 (12 attempts)');
});

test('an operation whose only waits were provoked on purpose is not printed as a failure', () => {
  const provoked = (outcome: PollWaitRecord['outcome']) => ({
    ...wait('image generation', outcome, 12),
    provoked: true,
  });
  const summary = summarize([provoked('timeout'), provoked('terminal-failure')], 12_000);
  expect(summary.operations[0]).toMatchObject({ ready: 0, slaBreaches: 0, failures: 0, provoked: 2 });
  const text = renderText(summary);
  expect(text).toContain('  provoked on purpose: image generation 2 (12 attempts)');
  expect(text).not.toMatch(/failure|breach/i);
  expect(renderMarkdown(summary)).toContain(
    '| image generation | 2 | 0 | – | – | – | – | – | 10.0 s | – | – | 0 | 0 | 2 (12 attempts) |',
  );
});
