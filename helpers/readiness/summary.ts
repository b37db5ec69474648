import { z } from 'zod';
import { READINESS_ATTACHMENT, type WaitRecord } from './wait';
import { mean, percentile } from '../reports/statistics';

/** Per operation: how long clients wait for it, how often they must ask, and how that fits the SLA. */
export type OperationSummary = {
  operation: string;
  waits: number;
  ready: number;
  timeToReadyMs: { p50: number | null; p95: number | null; max: number | null };
  attempts: { mean: number; max: number };
  slaMs: number;
  /** The share of the SLA that the p95 time to ready uses, in percent. */
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

// What the summary reads back from a report: the fields it uses, checked, the rest ignored.
const WaitRecordFields = z.object({
  operation: z.string(),
  subject: z.string(),
  slaMs: z.number(),
  outcome: z.string(),
  provoked: z.boolean().default(false),
  attempts: z.number(),
  elapsedMs: z.number(),
  timeToReadyMs: z.number().optional(),
});

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
  const times = waits.flatMap((wait) =>
    wait.outcome === 'ready' && wait.timeToReadyMs !== undefined ? [wait.timeToReadyMs] : [],
  );
  const attempts = waits.map((wait) => wait.attempts);
  const slaMs = Math.max(...waits.map((wait) => wait.slaMs));
  const p95 = times.length > 0 ? percentile(times, 95) : null;
  return {
    operation,
    waits: waits.length,
    ready: times.length,
    timeToReadyMs: {
      p50: times.length > 0 ? percentile(times, 50) : null,
      p95,
      max: times.length > 0 ? Math.max(...times) : null,
    },
    attempts: { mean: Math.round(mean(attempts) * 10) / 10, max: Math.max(...attempts) },
    slaMs,
    p95ShareOfSlaPercent: p95 === null ? null : Math.round((100 * p95) / slaMs),
    slaBreaches: waits.filter((wait) => wait.outcome === 'timeout' && !wait.provoked).length,
    failures: waits.filter((wait) => !['ready', 'timeout'].includes(wait.outcome) && !wait.provoked).length,
    provoked: waits.filter((wait) => wait.provoked).length,
    waitedMs: waits.reduce((sum, wait) => sum + wait.elapsedMs, 0),
  };
}

const COLUMNS = [
  'operation',
  'waits',
  'ready',
  'p50',
  'p95',
  'max',
  'attempts mean/max',
  'SLA',
  'p95 of SLA',
  'SLA breaches',
  'failures',
  'provoked',
];

function rows(summary: ReadinessSummary): string[][] {
  return summary.operations.map((op) => [
    op.operation,
    String(op.waits),
    String(op.ready),
    duration(op.timeToReadyMs.p50),
    duration(op.timeToReadyMs.p95),
    duration(op.timeToReadyMs.max),
    `${op.attempts.mean} / ${op.attempts.max}`,
    duration(op.slaMs),
    op.p95ShareOfSlaPercent === null ? '–' : `${op.p95ShareOfSlaPercent} %`,
    String(op.slaBreaches),
    String(op.failures),
    String(op.provoked),
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
    `Time to ready is measured from the start of a wait to the observation that found the operation ready. ${headline(summary)}`,
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

/** A bar per operation: p50 and p95 time to ready against its SLA, as SVG for the Allure report. */
export function renderSvg(summary: ReadinessSummary): string {
  const width = 960;
  const labelWidth = 230;
  const barWidth = width - labelWidth - 40;
  const rowHeight = 64;
  const height = 70 + rowHeight * summary.operations.length;
  const escape = (text: string) => text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
  const bars = summary.operations.map((op, index) => {
    const y = 50 + index * rowHeight;
    const x = (ms: number | null) => labelWidth + Math.min(1, (ms ?? 0) / op.slaMs) * barWidth;
    const troubles = [
      op.slaBreaches > 0 ? count(op.slaBreaches, 'SLA breach', 'SLA breaches') : '',
      op.failures > 0 ? count(op.failures, 'failure') : '',
    ].filter(Boolean);
    const detail = [
      op.ready === 0
        ? 'never ready'
        : `p50 ${duration(op.timeToReadyMs.p50)} · p95 ${duration(op.timeToReadyMs.p95)} (${op.p95ShareOfSlaPercent} % of SLA) · max ${duration(op.timeToReadyMs.max)}`,
      count(op.waits, 'wait'),
      `${op.attempts.mean} ${op.attempts.mean === 1 ? 'attempt' : 'attempts'} on average`,
      ...troubles,
      ...(op.provoked > 0 ? [`${op.provoked} provoked on purpose`] : []),
    ].join(' · ');
    const bar =
      op.ready === 0
        ? // Nothing became ready: a red bar over the whole SLA, not an empty one that looks fast.
          `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" fill="#e7a0a0"/>`
        : [
            `<rect x="${labelWidth}" y="${y}" width="${x(op.timeToReadyMs.p95) - labelWidth}" height="22" fill="#9cc3f0"/>`,
            `<rect x="${labelWidth}" y="${y}" width="${x(op.timeToReadyMs.p50) - labelWidth}" height="22" fill="#2f6fbf"/>`,
            `<line x1="${x(op.timeToReadyMs.max)}" y1="${y - 3}" x2="${x(op.timeToReadyMs.max)}" y2="${y + 25}" stroke="#333" stroke-width="2"/>`,
          ].join('\n');
    return [
      `<text x="0" y="${y + 16}" font-size="14" font-weight="bold">${escape(op.operation)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" fill="#eef1f5" stroke="#c4cad3"/>`,
      bar,
      `<text x="${labelWidth + barWidth + 4}" y="${y + 16}" font-size="12">SLA ${duration(op.slaMs)}</text>`,
      `<text x="${labelWidth}" y="${y + 40}" font-size="12" fill="${troubles.length > 0 ? '#a40000' : '#444'}">${escape(detail)}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 60}" height="${height}" font-family="sans-serif">`,
    `<text x="0" y="22" font-size="16">Time to ready against the SLA — dark: p50, light: p95, tick: max, red: never ready. ${escape(headline(summary))}</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
