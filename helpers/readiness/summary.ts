import { z } from 'zod';
import { READINESS_ATTACHMENT } from '../wait/report';
import type { PollWaitRecord } from './wait';
import { mean, percentile } from '../reports/statistics';
import { count, table, wrapItems, wrapWords } from '../reports/text-lines';

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
  /** For waits on a push (a webhook, a stream): from the completion, by the server's clock, to the
   *  push's arrival, over the ready waits that could tell it. */
  pushDelayMs: TimeFigures;
  slaBreaches: number;
  /** Waits that ended on a fatal observation (failed status, unexpected status, contract violation…). */
  failures: number;
  /** Timeouts and failures that tests provoked on purpose: not counted above. */
  provoked: number;
  waitedMs: number;
};

export type ReadinessSummary = {
  generatedAt: string;
  /** API_ENV of the run; null when it named none. */
  environment: string | null;
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
    receivedAfterCompletionMs: z.number().optional(),
  })
  .transform((record) => ({ ...record, observedTimeToReadyMs: record.observedTimeToReadyMs ?? record.timeToReadyMs }));

/** The wait records among a test's attachments (Playwright's reporter API gives them as buffers). */
export function recordsFromAttachments(
  attachments: ReadonlyArray<{ name: string; contentType: string; body?: Buffer }>,
): SummarizedRecord[] {
  return attachments
    .filter((attachment) => attachment.name === READINESS_ATTACHMENT && attachment.body)
    .map((attachment) => WaitRecordFields.parse(JSON.parse(attachment.body!.toString('utf8'))) as SummarizedRecord);
}

/** A wait's record as the summary reads it; a push wait's also tells how late its push came. */
export type SummarizedRecord = PollWaitRecord & { receivedAfterCompletionMs?: number | undefined };

export function summarize(
  records: readonly SummarizedRecord[],
  runDurationMs: number,
  { now = new Date(), environment }: { now?: Date; environment?: string | undefined } = {},
): ReadinessSummary {
  const byOperation = new Map<string, SummarizedRecord[]>();
  for (const record of records)
    byOperation.set(record.operation, [...(byOperation.get(record.operation) ?? []), record]);
  const operations = [...byOperation].map(([operation, waits]) => summarizeOperation(operation, waits));
  operations.sort((a, b) => a.operation.localeCompare(b.operation));
  return {
    generatedAt: now.toISOString(),
    environment: environment ?? null,
    runDurationMs: Math.round(runDurationMs),
    waits: records.length,
    waitedMs: records.reduce((sum, record) => sum + record.elapsedMs, 0),
    operations,
  };
}

function summarizeOperation(operation: string, waits: SummarizedRecord[]): OperationSummary {
  const readyWaits = waits.filter((wait) => kindOfWait(wait) === 'ready');
  const times = (pick: (wait: SummarizedRecord) => number | undefined) =>
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
    pushDelayMs: timeFigures(times((wait) => wait.receivedAfterCompletionMs)),
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
  'push delay p95',
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
    attemptsText(op.attempts.ready),
    duration(op.slaMs),
    op.p95ShareOfSlaPercent === null ? '–' : `${op.p95ShareOfSlaPercent} %`,
    duration(op.pushDelayMs.p95),
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
    `# Readiness summary${summary.environment ? ` (${summary.environment})` : ''}`,
    '',
    'Observed time to ready runs from the start of a wait to the observation that found the operation ready: what a client waited.',
    'Estimated time to ready is the middle of the bracket between the last not-ready and the first ready observation: what the readiness history learns.',
    'Attempts are per wait: to ready for the ready waits, and apart for SLA breaches, failures and waits provoked on purpose.',
    'Push delay runs from the completion, by the server’s clock, to the arrival of the webhook or message that told it.',
    headline(summary),
    '',
    line(COLUMNS),
    line(COLUMNS.map(() => '---')),
    ...rows(summary).map(line),
    '',
  ].join('\n');
}

// Printed at the end of a run: the columns a developer reads first, each line within LINE_WIDTH;
// the Markdown file has them all.
const TEXT_COLUMNS = ['operation', 'ready', 'p50', 'p95', 'max', 'attempts', 'p95 of SLA'];
const TEXT_WIDTHS = [32, 8, 7, 7, 7, 9, 16];

/** The summary for a terminal: a short table, then the waits that were not ready, by kind. */
export function renderText(summary: ReadinessSummary, detailsFile?: string): string {
  const title = `Readiness summary${summary.environment ? ` (${summary.environment})` : ''}: `;
  const rowsOfText = summary.operations.map((op) => [
    op.operation,
    `${op.ready} of ${op.waits}`,
    duration(op.observedTimeToReadyMs.p50),
    duration(op.observedTimeToReadyMs.p95),
    duration(op.observedTimeToReadyMs.max),
    attemptsText(op.attempts.ready),
    op.p95ShareOfSlaPercent === null
      ? `– of ${duration(op.slaMs)}`
      : `${op.p95ShareOfSlaPercent} % of ${duration(op.slaMs)}`,
  ]);
  const notReady = (kind: 'slaBreaches' | 'failures' | 'provoked') =>
    summary.operations
      .filter((op) => op[kind] > 0)
      .map((op) => `${op.operation} ${withAttempts(String(op[kind]), op.attempts[kind])}`);
  const pushDelays = summary.operations
    .filter((op) => op.pushDelayMs.p95 !== null)
    .map((op) => `${op.operation} ${duration(op.pushDelayMs.p95)}`);
  const list = (label: string, items: string[]) => (items.length > 0 ? wrapItems(label, items) : []);
  return [
    ...wrapWords(`${title}${headline(summary)} Times to ready are observed; attempts are per ready wait.`),
    ...table([TEXT_COLUMNS, ...rowsOfText], TEXT_WIDTHS).map((line) => `  ${line}`),
    ...list('  push delay p95: ', pushDelays),
    ...list('  SLA breaches: ', notReady('slaBreaches')),
    ...list('  failures: ', notReady('failures')),
    ...list('  provoked on purpose: ', notReady('provoked')),
    ...(detailsFile ? wrapItems('  details: ', [detailsFile]) : []),
  ].join('\n');
}

function attemptsText(attempts: AttemptFigures): string {
  return attempts.mean === null ? '–' : `${attempts.mean} / ${attempts.max}`;
}

// "3 (12 attempts)", "2 (8.5 / 12 attempts)": how many waits of a kind, and their attempts per wait.
function withAttempts(counted: string, attempts: AttemptFigures): string {
  if (attempts.mean === null || attempts.max === null) return counted;
  const perWait =
    attempts.mean === attempts.max ? count(attempts.max, 'attempt') : `${attempts.mean} / ${attempts.max} attempts`;
  return `${counted} (${perWait})`;
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
