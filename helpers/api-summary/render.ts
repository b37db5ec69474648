import { count, wrapItems, wrapWords } from '../reports/text-lines';
import type { ApiSummary, Coverage, OperationRow } from './summarize';

// The API summary as Markdown (the file and the Allure attachment) and as the few lines a run prints.

const COLUMNS = ['operation', 'calls', 'statuses', 'p50', 'p95', 'max', 'failures', 'provoked'];
const DOCUMENT_COLUMNS = ['nonconforming', 'coverage', 'documented statuses not seen'];

function rows(summary: ApiSummary): string[][] {
  return summary.operations.map((row) => [
    row.operation,
    String(row.calls),
    statusesText(row),
    duration(row.p50Ms),
    duration(row.p95Ms),
    duration(row.maxMs),
    String(row.failures),
    String(row.provoked),
    ...(summary.document
      ? [
          String(row.nonconforming),
          row.documented ? (row.covered ? 'covered' : 'never called') : 'not documented',
          (row.statusesNotSeen ?? []).join(' ') || '–',
        ]
      : []),
  ]);
}

function statusesText(row: OperationRow): string {
  const answered = Object.entries(row.statuses).map(([status, count]) => `${status}×${count}`);
  return [...answered, ...(row.noResponse > 0 ? [`no answer×${row.noResponse}`] : [])].join(' ') || '–';
}

/** `500×1 no answer×2`: the answers that count as failures, or as provoked ones. */
function failedAnswersText(row: OperationRow): string {
  const failed = Object.entries(row.statuses).filter(([status]) => Number(status) >= 500);
  return [
    ...failed.map(([status, n]) => `${status}×${n}`),
    ...(row.noResponse > 0 ? [`no answer×${row.noResponse}`] : []),
  ].join(' ');
}

export function headline(summary: ApiSummary): string {
  const operations = summary.operations.filter((row) => row.calls > 0).length;
  const parts = [
    `${count(summary.calls, 'call')} to ${count(operations, 'operation')}`,
    ...(summary.failures > 0 ? [`${count(summary.failures, 'failure')} (no answer or 5xx)`] : []),
    ...(summary.provoked > 0 ? [`${summary.provoked} provoked on purpose (no answer or 5xx)`] : []),
    ...(summary.nonconforming > 0 ? [`${count(summary.nonconforming, 'nonconforming answer')}`] : []),
  ];
  return `${parts.join(', ')}.`;
}

function coverageText(coverage: Coverage): string {
  return (
    `${coverage.covered} of ${coverage.operations} documented operations covered (${percent(coverage.ratio)}), ` +
    `${coverage.statusesSeen} of ${coverage.statuses} documented statuses seen.`
  );
}

export function renderMarkdown(summary: ApiSummary): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  const columns = [...COLUMNS, ...(summary.document ? DOCUMENT_COLUMNS : [])];
  const source = summary.document
    ? `Operations from the OpenAPI document ${summary.document.source}` +
      (summary.document.title
        ? ` (${[summary.document.title, summary.document.version].filter(Boolean).join(' ')})`
        : '') +
      '; calls to paths it does not document are grouped by the route-template rule.'
    : 'No OpenAPI document: operations are grouped by the route-template rule (id-like segments become {id}).';
  return [
    `# API summary${summary.environment ? ` (${summary.environment})` : ''}`,
    '',
    `${headline(summary)}${summary.coverage ? ` ${coverageText(summary.coverage)}` : ''} Latencies are of the answered calls. ${source}`,
    'Failures are calls without an answer, and 5xx answers; those of waits a test provoked on purpose are counted apart.',
    ...(summary.document
      ? [
          'Nonconforming answers broke the document: an undocumented operation, status or content type, or a body off its schema.',
        ]
      : []),
    '',
    line(columns),
    line(columns.map(() => '---')),
    ...rows(summary).map(line),
    '',
    ...(summary.notCovered.length > 0
      ? ['## Documented operations never called', '', ...summary.notCovered.map((operation) => `- ${operation}`), '']
      : []),
  ].join('\n');
}

/** A few lines for the end of a run, none longer than LINE_WIDTH; the tables are in the files. */
export function renderText(summary: ApiSummary, detailsFile: string): string {
  const slowest = summary.operations
    .filter((row) => row.p95Ms !== null)
    .sort((a, b) => b.p95Ms! - a.p95Ms! || a.operation.localeCompare(b.operation))
    .slice(0, 3)
    .map((row) => `${row.operation} ${duration(row.p95Ms)}`);
  const failing = summary.operations.filter((row) => row.failures > 0);
  const nonconforming = summary.operations.filter((row) => row.nonconforming > 0);
  const title = `API summary${summary.environment ? ` (${summary.environment})` : ''}:`;
  return [
    ...wrapWords(`${title} ${headline(summary)}`),
    ...(summary.coverage ? wrapWords(coverageText(summary.coverage), '  ', '    ') : []),
    ...(slowest.length > 0 ? wrapItems('  slowest p95: ', slowest) : []),
    ...(failing.length > 0
      ? wrapItems(
          '  failures: ',
          failing.map((row) => `${row.operation} ${failedAnswersText(row)}`),
        )
      : []),
    ...(nonconforming.length > 0
      ? wrapItems(
          '  nonconforming: ',
          nonconforming.map((row) => `${row.operation} ×${row.nonconforming}`),
        )
      : []),
    ...(summary.notCovered.length > 0 ? wrapItems('  never called: ', summary.notCovered) : []),
    ...wrapItems('  details: ', [detailsFile]),
  ].join('\n');
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
