import type { WaitRecord } from '../../helpers/readiness/wait';
import { renderMarkdown, renderSvg, summarize } from '../../helpers/readiness/summary';
import { compareSummaryWithSteps, waitStepsOf } from '../../helpers/readiness/summary-check';
import { expect, test } from '../../fixtures';

const wait = (
  operation: string,
  outcome: WaitRecord['outcome'],
  attempts: number,
  timeToReadyMs?: number,
): WaitRecord => ({
  operation,
  subject: 'x',
  slaMs: 10_000,
  startedAt: '2026-11-23T10:00:00.000Z',
  outcome,
  provoked: false,
  attempts,
  elapsedMs: timeToReadyMs ?? 10_000,
  timeToReadyMs,
  bracket: { lastNotReadyMs: undefined, firstReadyMs: timeToReadyMs },
  timeline: [],
});

const records = [
  ...[1_000, 1_200, 1_400, 1_600, 2_800].map((ms, i) => wait('asset provisioning', 'ready', i + 1, ms)),
  wait('asset provisioning', 'timeout', 12),
  wait('asset provisioning', 'unexpected-status', 1),
  wait('image generation', 'ready', 2, 900),
];

test('a summary per operation: time to ready, attempts, SLA share, breaches and failures', () => {
  const summary = summarize(records, 20_000, new Date('2026-11-23T10:05:00Z'));
  expect(summary).toMatchObject({
    runDurationMs: 20_000,
    waits: 8,
    waitedMs: 1_000 + 1_200 + 1_400 + 1_600 + 2_800 + 10_000 + 10_000 + 900,
  });
  expect(summary.operations[0]).toEqual({
    operation: 'asset provisioning',
    waits: 7,
    ready: 5,
    timeToReadyMs: { p50: 1_400, p95: 2_800, max: 2_800 },
    attempts: { mean: 4, max: 12 },
    slaMs: 10_000,
    p95ShareOfSlaPercent: 28,
    slaBreaches: 1,
    failures: 1,
    provoked: 0,
    waitedMs: 28_000,
  });
  expect(summary.operations[1]).toMatchObject({ operation: 'image generation', waits: 1, timeToReadyMs: { p95: 900 } });
});

test('the Markdown and the chart name every operation and its figures', () => {
  const summary = summarize(records, 20_000);
  expect(renderMarkdown(summary)).toContain(
    '| operation | waits | ready | p50 | p95 | max | attempts mean/max | SLA | p95 of SLA | SLA breaches | failures | provoked |',
  );
  expect(renderMarkdown(summary)).toContain(
    '| asset provisioning | 7 | 5 | 1.4 s | 2.8 s | 2.8 s | 4 / 12 | 10.0 s | 28 % | 1 | 1 | 0 |',
  );
  const svg = renderSvg(summary);
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('p95 2.8 s (28 % of SLA)');
  expect(svg).toContain('1 SLA breach · 1 failure');
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
        {
          name: 'time to ready',
          value: record.timeToReadyMs === undefined ? 'not ready (timeout)' : `${record.timeToReadyMs} ms`,
        },
      ],
      steps: [],
    })),
  };
  const steps = waitStepsOf(result);
  expect(compareSummaryWithSteps(summary, steps)).toEqual([]);
  expect(compareSummaryWithSteps(summary, steps.slice(1))).toEqual([
    'asset provisioning: waits is 7 in the summary, 6 in the steps',
    'asset provisioning: ready is 5 in the summary, 4 in the steps',
    'asset provisioning: attemptsMean is 4 in the summary, 4.5 in the steps',
  ]);
});

test('provoked failures are counted apart, and an operation never ready shows as such', () => {
  const provoked = { ...wait('image generation', 'timeout', 12), provoked: true };
  const summary = summarize([provoked, wait('image generation', 'terminal-failure', 1)], 12_000);
  expect(summary.operations[0]).toMatchObject({ waits: 2, ready: 0, slaBreaches: 0, failures: 1, provoked: 1 });
  expect(renderSvg(summary)).toContain(
    'never ready · 2 waits · 6.5 attempts on average · 1 failure · 1 provoked on purpose',
  );
});
