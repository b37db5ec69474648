import { z } from 'zod';
import { READINESS_ATTACHMENT, type WaitRecord } from './wait';
import { mean, percentile } from '../reports/statistics';

export type TimeFigures = { p50: number | null; p95: number | null; max: number | null };
export type AttemptFigures = { mean: number | null; max: number | null };

/** Per operation: how long clients wait for it, how often they must ask, and how that fits the SLA. */
export type OperationSummary = {
  operation: string;
  waits: number;
  ready: number;
  /** Observed time to ready of the ready waits: from the start of a wait to the observation that found
   *  it ready, what a client waited. */
  observedTimeToReadyMs: TimeFigures;
  /** Estimated time to ready of the ready waits: the middle of the bracket between the last not-ready and
   *  the first ready observation, what the readiness history learns. */
  estimatedTimeToReadyMs: TimeFigures;
  /** Attempts per wait, for each kind of wait apart: the polls of a stuck wait say nothing about how
   *  often a client must ask before the operation is ready. */
  attempts: { ready: AttemptFigures; slaBreaches: AttemptFigures; failures: AttemptFigures; provoked: AttemptFigures };
  slaMs: number;
  /** The share of the SLA that the p95 observed time to ready uses, in percent. */
  p95ShareOfSlaPercent: number | null;
  slaBreaches: number;
  /** Waits that ended on a fatal observation (failed status, unexpected status, contract violation…). */
  failures: number;
  /** Timeouts and failures that tests provoked on purpose: not counted above. */
  provoked: number;
  waitedMs: number;
};

export type ReadinessSummary = {
  generatedAt: string;
  runDurationMs: number;
  waits: number;
  /** The time spent waiting, summed over every wait: what the suite inherently waits for. */
  waitedMs: number;
  operations: OperationSummary[];
};

/** Which of the summary's kinds a wait is: each wait is exactly one of them. */
export type WaitKind = keyof OperationSummary['attempts'];

export function kindOfWait(wait: { outcome: string; provoked: boolean }): WaitKind {
  if (wait.provoked) return 'provoked';
  if (wait.outcome === 'ready') return 'ready';
  return wait.outcome === 'timeout' ? 'slaBreaches' : 'failures';
}

/** The figures of some times: p50, p95 and max, null for none. */
export function timeFigures(times: readonly number[]): TimeFigures {
  if (times.length === 0) return { p50: null, p95: null, max: null };
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times) };
}

/** The mean (to a tenth) and max of some attempt counts, null for none. */
export function attemptFigures(attempts: readonly number[]): AttemptFigures {
  if (attempts.length === 0) return { mean: null, max: null };
  return { mean: Math.round(mean(attempts) * 10) / 10, max: Math.max(...attempts) };
}

// What the summary reads back from a report: the fields it uses, checked, the rest ignored. Records
// written before the observed and estimated times had their names carry only `timeToReadyMs`.
const WaitRecordFields = z
  .object({
    operation: z.string(),
    subject: z.string(),
    slaMs: z.number(),
    outcome: z.string(),
    provoked: z.boolean().default(false),
    attempts: z.number(),
    elapsedMs: z.number(),
    observedTimeToReadyMs: z.number().optional(),
    estimatedTimeToReadyMs: z.number().optional(),
    timeToReadyMs: z.number().optional(),
  })
  .transform((record) => ({ ...record, observedTimeToReadyMs: record.observedTimeToReadyMs ?? record.timeToReadyMs }));

/** The wait records among a test's attachments (Playwright's reporter API gives them as buffers). */
export function recordsFromAttachments(
  attachments: ReadonlyArray<{ name: string; contentType: string; body?: Buffer }>,
): WaitRecord[] {
  return attachments
    .filter((attachment) => attachment.name === READINESS_ATTACHMENT && attachment.body)
    .map((attachment) => WaitRecordFields.parse(JSON.parse(attachment.body!.toString('utf8'))) as WaitRecord);
}

export function summarize(records: readonly WaitRecord[], runDurationMs: number, now = new Date()): ReadinessSummary {
  const byOperation = new Map<string, WaitRecord[]>();
  for (const record of records)
    byOperation.set(record.operation, [...(byOperation.get(record.operation) ?? []), record]);
  const operations = [...byOperation].map(([operation, waits]) => summarizeOperation(operation, waits));
  operations.sort((a, b) => a.operation.localeCompare(b.operation));
  return {
    generatedAt: now.toISOString(),
    runDurationMs: Math.round(runDurationMs),
    waits: records.length,
    waitedMs: records.reduce((sum, record) => sum + record.elapsedMs, 0),
    operations,
  };
}

function summarizeOperation(operation: string, waits: WaitRecord[]): OperationSummary {
  const readyWaits = waits.filter((wait) => kindOfWait(wait) === 'ready');
  const times = (pick: (wait: WaitRecord) => number | undefined) =>
    readyWaits.flatMap((wait) => (pick(wait) === undefined ? [] : [pick(wait)!]));
  const observed = timeFigures(times((wait) => wait.observedTimeToReadyMs));
  const attemptsOf = (kind: WaitKind) =>
    attemptFigures(waits.filter((wait) => kindOfWait(wait) === kind).map((wait) => wait.attempts));
  const slaMs = Math.max(...waits.map((wait) => wait.slaMs));
  return {
    operation,
    waits: waits.length,
    ready: readyWaits.length,
    observedTimeToReadyMs: observed,
    estimatedTimeToReadyMs: timeFigures(times((wait) => wait.estimatedTimeToReadyMs)),
    attempts: {
      ready: attemptsOf('ready'),
      slaBreaches: attemptsOf('slaBreaches'),
      failures: attemptsOf('failures'),
      provoked: attemptsOf('provoked'),
    },
    slaMs,
    p95ShareOfSlaPercent: observed.p95 === null ? null : Math.round((100 * observed.p95) / slaMs),
    slaBreaches: waits.filter((wait) => kindOfWait(wait) === 'slaBreaches').length,
    failures: waits.filter((wait) => kindOfWait(wait) === 'failures').length,
    provoked: waits.filter((wait) => kindOfWait(wait) === 'provoked').length,
    waitedMs: waits.reduce((sum, wait) => sum + wait.elapsedMs, 0),
  };
}

const COLUMNS = [
  'operation',
  'waits',
  'ready',
  'observed p50',
  'observed p95',
  'observed max',
  'estimated p50',
  'attempts to ready mean/max',
  'SLA',
  'observed p95 of SLA',
  'SLA breaches',
  'failures',
  'provoked',
];

function rows(summary: ReadinessSummary): string[][] {
  return summary.operations.map((op) => [
    op.operation,
    String(op.waits),
    String(op.ready),
    duration(op.observedTimeToReadyMs.p50),
    duration(op.observedTimeToReadyMs.p95),
    duration(op.observedTimeToReadyMs.max),
    duration(op.estimatedTimeToReadyMs.p50),
    op.attempts.ready.mean === null ? '–' : `${op.attempts.ready.mean} / ${op.attempts.ready.max}`,
    duration(op.slaMs),
    op.p95ShareOfSlaPercent === null ? '–' : `${op.p95ShareOfSlaPercent} %`,
    withAttempts(String(op.slaBreaches), op.attempts.slaBreaches),
    withAttempts(String(op.failures), op.attempts.failures),
    withAttempts(String(op.provoked), op.attempts.provoked),
  ]);
}

export function headline(summary: ReadinessSummary): string {
  return `${count(summary.waits, 'wait')} took ${duration(summary.waitedMs)} in all, during a run of ${duration(summary.runDurationMs)}.`;
}

export function renderMarkdown(summary: ReadinessSummary): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '# Readiness summary',
    '',
    'Observed time to ready runs from the start of a wait to the observation that found the operation ready: what a client waited.',
    'Estimated time to ready is the middle of the bracket between the last not-ready and the first ready observation: what the readiness history learns.',
    'Attempts are per wait: to ready for the ready waits, and apart for SLA breaches, failures and waits provoked on purpose.',
    headline(summary),
    '',
    line(COLUMNS),
    line(COLUMNS.map(() => '---')),
    ...rows(summary).map(line),
    '',
  ].join('\n');
}

/** The same table, aligned for a terminal. */
export function renderText(summary: ReadinessSummary): string {
  const table = [COLUMNS, ...rows(summary)];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return ['Readiness summary', format(COLUMNS), ...rows(summary).map(format), headline(summary)].join('\n');
}

/**
 * A bar per operation: p50 and p95 observed time to ready against its SLA, as SVG for the Allure report.
 * Red marks an operation that was never ready because of real SLA breaches or failures; one whose only
 * waits were provoked on purpose is hatched grey, for that is what its tests asked for.
 */
export function renderSvg(summary: ReadinessSummary): string {
  const width = 960;
  const labelWidth = 230;
  const barWidth = width - labelWidth - 40;
  const rowHeight = 76;
  const top = 64;
  const height = top + 20 + rowHeight * summary.operations.length;
  const escape = (text: string) => text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
  const bars = summary.operations.map((op, index) => {
    const y = top + index * rowHeight;
    const x = (ms: number | null) => labelWidth + Math.min(1, (ms ?? 0) / op.slaMs) * barWidth;
    const observed = op.observedTimeToReadyMs;
    const troubles = [
      op.slaBreaches > 0
        ? withAttempts(count(op.slaBreaches, 'SLA breach', 'SLA breaches'), op.attempts.slaBreaches)
        : '',
      op.failures > 0 ? withAttempts(count(op.failures, 'failure'), op.attempts.failures) : '',
    ].filter(Boolean);
    const onlyProvoked = op.ready === 0 && troubles.length === 0;
    const times =
      op.ready > 0
        ? `observed p50 ${duration(observed.p50)} · p95 ${duration(observed.p95)} (${op.p95ShareOfSlaPercent} % of SLA) · max ${duration(observed.max)} · estimated p50 ${duration(op.estimatedTimeToReadyMs.p50)}`
        : onlyProvoked
          ? 'not ready, as its tests intended'
          : 'never ready';
    const counts = [
      count(op.waits, 'wait'),
      ...(op.attempts.ready.mean === null
        ? []
        : [`${op.attempts.ready.mean} ${op.attempts.ready.mean === 1 ? 'attempt' : 'attempts'} to ready on average`]),
      ...troubles,
      ...(op.provoked > 0 ? [`${op.provoked} provoked on purpose`] : []),
    ].join(' · ');
    const bar =
      op.ready > 0
        ? [
            `<rect x="${labelWidth}" y="${y}" width="${x(observed.p95) - labelWidth}" height="22" fill="#9cc3f0"/>`,
            `<rect x="${labelWidth}" y="${y}" width="${x(observed.p50) - labelWidth}" height="22" fill="#2f6fbf"/>`,
            `<line x1="${x(observed.max)}" y1="${y - 3}" x2="${x(observed.max)}" y2="${y + 25}" stroke="#333" stroke-width="2"/>`,
          ].join('\n')
        : onlyProvoked
          ? `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" fill="url(#provoked)"/>`
          : // Nothing became ready: a red bar over the whole SLA, not an empty one that looks fast.
            `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" fill="#e7a0a0"/>`;
    return [
      `<text x="0" y="${y + 16}" font-size="14" font-weight="bold">${escape(op.operation)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" fill="#eef1f5" stroke="#c4cad3"/>`,
      bar,
      `<text x="${labelWidth + barWidth + 4}" y="${y + 16}" font-size="12">SLA ${duration(op.slaMs)}</text>`,
      `<text x="${labelWidth}" y="${y + 38}" font-size="12" fill="${op.ready === 0 && troubles.length > 0 ? '#a40000' : '#444'}">${escape(times)}</text>`,
      `<text x="${labelWidth}" y="${y + 54}" font-size="12" fill="${troubles.length > 0 ? '#a40000' : '#444'}">${escape(counts)}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 60}" height="${height}" font-family="sans-serif">`,
    '<defs><pattern id="provoked" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
    '<rect width="8" height="8" fill="#e4e6ea"/><line x1="0" y1="0" x2="0" y2="8" stroke="#a9afb8" stroke-width="3"/>',
    '</pattern></defs>',
    `<text x="0" y="22" font-size="16">Observed time to ready against the SLA. ${escape(headline(summary))}</text>`,
    '<text x="0" y="42" font-size="12" fill="#444">dark: p50 · light: p95 · tick: max · red: never ready (SLA breaches or failures) · hatched grey: only waits provoked on purpose</text>',
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}

// "3 (12 attempts)", "2 (8.5 / 12 attempts)": how many waits of a kind, and their attempts per wait.
function withAttempts(counted: string, attempts: AttemptFigures): string {
  if (attempts.mean === null || attempts.max === null) return counted;
  const perWait =
    attempts.mean === attempts.max ? count(attempts.max, 'attempt') : `${attempts.mean} / ${attempts.max} attempts`;
  return `${counted} (${perWait})`;
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
