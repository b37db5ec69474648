import { exchangesFromAttachments } from '../http/exchange-report';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Env, settingsOf } from '../env';
import { percentile } from './statistics';

// The API summary of a run: every call the client fixtures reported, per operation (method and
// path template), against the OpenAPI document when there is one, and against earlier runs.

/** One call as its report attachments tell it: `<METHOD> <path> request` and `… response`. */
export type ApiCall = {
  method: string;
  /** As sent, query string included. */
  path: string;
  /** Null when no answer came (connection refused, timeout). */
  status: number | null;
  latencyMs: number;
};

/** What the summary reads of an OpenAPI document. */
export type ApiDocument = {
  title: string | undefined;
  version: string | undefined;
  /** The paths of its servers (`https://api.example.com/v2` → `/v2`): a request path may start with one. */
  basePaths: string[];
  operations: DocumentedOperation[];
};

export type DocumentedOperation = {
  method: string;
  /** As the document writes it: `/tasks/{taskId}`. */
  template: string;
  /** The keys of its responses: `200`, `4XX`, `default`. */
  statuses: string[];
};

export type Trend = {
  /** How many earlier runs had this operation. */
  runs: number;
  medianP95Ms: number;
  /** Null when the median was 0 ms. */
  changePercent: number | null;
  regression: boolean;
};

export type OperationRow = {
  /** `GET /orders/{orderId}`. */
  operation: string;
  method: string;
  path: string;
  calls: number;
  /** How many answers of each status, by status. */
  statuses: Record<string, number>;
  /** Calls that got no answer at all. */
  noResponse: number;
  /** No answer, or a 5xx. */
  failures: number;
  /** Latency percentiles of the answered calls, in ms; null without any. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** With a document: whether it documents this operation. */
  documented?: boolean;
  /** With a document: whether any call of it got an answer (coverage counts the documented ones). */
  covered?: boolean;
  documentedStatuses?: string[];
  /** Documented statuses that no call got (`default` is never listed). */
  statusesNotSeen?: string[];
  /** Statuses seen that the document does not list for this operation. */
  undocumentedStatuses?: string[];
  /** This run's p95 against the earlier runs'; null when too few earlier runs had the operation. */
  trend: Trend | null;
};

export type Coverage = {
  operations: number;
  covered: number;
  /** covered / operations, 0–1, to 3 decimals. */
  ratio: number;
  statuses: number;
  statusesSeen: number;
  statusRatio: number;
};

export type TrendRule = {
  /** A p95 is flagged when it is this many percent over the median p95 of the kept runs … */
  thresholdPercent: number;
  /** … and at least this many ms over it. */
  thresholdMs: number;
  /** How many runs the history keeps. */
  keptRuns: number;
  /** Fewer earlier runs with the operation than this: no comparison. */
  minRuns: number;
};

export type ApiSummary = {
  generatedAt: string;
  runDurationMs: number;
  calls: number;
  failures: number;
  document: { source: string; title: string | undefined; version: string | undefined; operations: number } | null;
  coverage: Coverage | null;
  /** Documented operations that no call exercised. */
  notCovered: string[];
  /** Operations whose p95 is beyond the trend rule's threshold. */
  regressions: string[];
  trendRule: TrendRule;
  operations: OperationRow[];
};

/** One run in the history: the p95 of each operation. */
export type HistoryRun = { at: string; target: string; p95Ms: Record<string, number> };

export const TREND_MIN_RUNS = 3;

// ---------------------------------------------------------------- settings

const ratio = z.coerce
  .number({ error: 'expected a ratio between 0 and 1, such as 0.8' })
  .min(0, { error: 'expected a ratio between 0 and 1, such as 0.8' })
  .max(1, { error: 'expected a ratio between 0 and 1, such as 0.8' });

const OPERATION = /^([A-Za-z]+)\s+(\/\S*)$/;

const DocumentSettings = z.object({
  OPENAPI_DOCUMENT: z.string().trim().min(1, { error: 'expected a URL or a file' }).optional(),
});

const SummarySettings = DocumentSettings.extend({
  API_SUMMARY_HISTORY_RUNS: z.coerce
    .number({ error: 'expected a number of runs' })
    .int({ error: 'expected a whole number of runs' })
    .positive({ error: 'expected a positive number of runs' })
    .default(20),
  API_P95_REGRESSION_PERCENT: z.coerce
    .number({ error: 'expected a percentage, such as 40' })
    .positive({ error: 'expected a positive percentage, such as 40' })
    .default(40),
  API_P95_REGRESSION_MIN_MS: z.coerce
    .number({ error: 'expected a number of milliseconds' })
    .nonnegative({ error: 'expected a number of milliseconds' })
    .default(50),
});

const GateSettings = z.object({
  API_COVERAGE_MIN: ratio.optional(),
  API_REQUIRED_OPERATIONS: z
    .string()
    .default('')
    .transform((list, context) => {
      const operations = list
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      const wrong = operations.find((operation) => !OPERATION.test(operation));
      if (wrong !== undefined) {
        context.addIssue({
          code: 'custom',
          message: `expected a comma list of METHOD /path/{template}, such as GET /items/{id} (not ${JSON.stringify(wrong)})`,
        });
        return z.NEVER;
      }
      return operations;
    }),
});

export type ApiSummarySettings = { document: string | undefined; trendRule: TrendRule };
export type ApiGate = { coverageMin: number | undefined; requiredOperations: string[] };

/** OPENAPI_DOCUMENT: the URL or file of the API's OpenAPI document, if set. */
export function openApiDocumentSetting(env: Env): string | undefined {
  return settingsOf(env, DocumentSettings).OPENAPI_DOCUMENT;
}

export function apiSummarySettings(env: Env): ApiSummarySettings {
  const raw = settingsOf(env, SummarySettings);
  return {
    document: raw.OPENAPI_DOCUMENT,
    trendRule: {
      thresholdPercent: raw.API_P95_REGRESSION_PERCENT,
      thresholdMs: raw.API_P95_REGRESSION_MIN_MS,
      keptRuns: raw.API_SUMMARY_HISTORY_RUNS,
      minRuns: TREND_MIN_RUNS,
    },
  };
}

export const DEFAULT_TREND_RULE: TrendRule = {
  thresholdPercent: 40,
  thresholdMs: 50,
  keptRuns: 20,
  minRuns: TREND_MIN_RUNS,
};

export function apiGateSettings(env: Env): ApiGate {
  const raw = settingsOf(env, GateSettings);
  return { coverageMin: raw.API_COVERAGE_MIN, requiredOperations: raw.API_REQUIRED_OPERATIONS };
}

// ---------------------------------------------------------------- calls

type Attachment = { name: string; contentType: string; body?: Buffer };

/** The calls among a test's attachments (see exchangesFromAttachments), as the summary counts them. */
export function callsFromAttachments(attachments: readonly Attachment[]): ApiCall[] {
  return exchangesFromAttachments(attachments).map((exchange) => ({
    method: exchange.method.toUpperCase(),
    path: exchange.path,
    status: exchange.response?.status ?? null,
    latencyMs: exchange.latencyMs,
  }));
}

// ---------------------------------------------------------------- operations

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// usr_0c1d…, ord_3f2b…, cus_N4x8Qk2: a short lower-case prefix, then an id with a digit in it.
const PREFIXED_ID = /^[a-z]{2,5}_(?=[A-Za-z-]*\d)[A-Za-z0-9-]{6,}$/;
const LONG_HEX = /^[0-9a-f]{16,}$/i;
const DIGITS = /^\d+$/;

/** Whether a path segment looks like an id: digits, a UUID, a prefixed id such as `usr_…`, or long hex. */
export function looksLikeId(segment: string): boolean {
  return [DIGITS, UUID, PREFIXED_ID, LONG_HEX].some((pattern) => pattern.test(segment));
}

/** The route template of a path without a document: its query goes, id-like segments become `{id}`. */
export function routeTemplate(path: string): string {
  return pathOnly(path)
    .split('/')
    .map((segment) => (segment !== '' && looksLikeId(decodeSegment(segment)) ? '{id}' : segment))
    .join('/');
}

function pathOnly(path: string): string {
  return path.replace(/[?#].*$/, '') || '/';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const DocumentShape = z.object({
  openapi: z.string(),
  info: z.object({ title: z.string().optional(), version: z.string().optional() }).optional(),
  servers: z.array(z.object({ url: z.string() })).optional(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** Parses the text of an OpenAPI 3 document, JSON or YAML; throws naming the source when it is none. */
export function parseOpenApiText(text: string, source: string): unknown {
  let document: unknown;
  try {
    document = /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${source} is neither JSON nor YAML: ${(error as Error).message}`, { cause: error });
  }
  if (typeof document !== 'object' || document === null || !('openapi' in document)) {
    throw new Error(`${source} is not an OpenAPI 3 document (no "openapi" field).`);
  }
  return document;
}

/** The operations an OpenAPI 3 document describes, and the statuses of each. */
export function operationsOfDocument(document: unknown): ApiDocument {
  const parsed = DocumentShape.safeParse(document);
  if (!parsed.success) throw new Error(`Not an OpenAPI 3 document: ${z.prettifyError(parsed.error)}`);
  const { info, servers = [], paths = {} } = parsed.data;
  const operations = Object.entries(paths).flatMap(([template, item]) =>
    HTTP_METHODS.filter((method) => typeof item[method] === 'object' && item[method] !== null).map((method) => {
      const responses = (item[method] as { responses?: unknown }).responses;
      const statuses = typeof responses === 'object' && responses !== null ? Object.keys(responses) : [];
      return { method: method.toUpperCase(), template, statuses: statuses.sort() };
    }),
  );
  const basePaths = servers
    .map((server) => new URL(server.url, 'http://server.invalid').pathname.replace(/\/+$/, ''))
    .filter((base) => base !== '');
  return { title: info?.title, version: info?.version, basePaths: [...new Set(basePaths)], operations };
}

/**
 * The documented operation a call belongs to: the method's templates that match the path (or the
 * path without a server's base path); of several, the one with the most literal segments.
 */
export function matchOperation(document: ApiDocument, method: string, path: string): DocumentedOperation | undefined {
  const requested = pathOnly(path);
  const candidates = [
    requested,
    ...document.basePaths
      .filter((base) => requested.startsWith(`${base}/`))
      .map((base) => requested.slice(base.length)),
  ];
  const matches = document.operations.filter(
    (operation) =>
      operation.method === method.toUpperCase() &&
      candidates.some((candidate) => templatePattern(operation.template).test(candidate)),
  );
  const literalSegments = (template: string) => template.split('/').filter((part) => !part.includes('{')).length;
  return matches.sort(
    (a, b) => literalSegments(b.template) - literalSegments(a.template) || a.template.localeCompare(b.template),
  )[0];
}

function templatePattern(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)));
  return new RegExp(`^${parts.join('')}/?$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `get /tasks/{taskId}` → `GET /tasks/{}`: two spellings of one operation compare equal. */
export function operationKey(operation: string): string {
  const match = OPERATION.exec(operation.trim());
  if (!match) return operation.trim();
  return `${match[1]!.toUpperCase()} ${match[2]!.replace(/\{[^}]*\}/g, '{}')}`;
}

// ---------------------------------------------------------------- summary

export type SummaryInput = {
  calls: readonly ApiCall[];
  runDurationMs: number;
  document?: { source: string; api: ApiDocument } | undefined;
  /** Earlier runs, oldest first; only those of the same target are compared. */
  history?: readonly HistoryRun[];
  target?: string;
  trendRule?: TrendRule;
  now?: Date;
};

export function summarizeApiCalls(input: SummaryInput): ApiSummary {
  const { calls, document, history = [], target = '', trendRule = DEFAULT_TREND_RULE, now = new Date() } = input;
  const byOperation = new Map<
    string,
    { method: string; path: string; documented?: DocumentedOperation; calls: ApiCall[] }
  >();
  const add = (method: string, path: string, documented: DocumentedOperation | undefined, call?: ApiCall) => {
    const operation = `${method} ${path}`;
    const entry = byOperation.get(operation) ?? { method, path, calls: [], ...(documented ? { documented } : {}) };
    if (call) entry.calls.push(call);
    byOperation.set(operation, entry);
  };
  for (const documented of document?.api.operations ?? []) add(documented.method, documented.template, documented);
  for (const call of calls) {
    const documented = document && matchOperation(document.api, call.method, call.path);
    if (documented) add(documented.method, documented.template, documented, call);
    else add(call.method, routeTemplate(call.path), undefined, call);
  }

  const earlier = history.filter((run) => run.target === target).slice(-trendRule.keptRuns);
  const operations = [...byOperation.entries()]
    .map(([operation, entry]) => {
      const row = operationRow(operation, entry.method, entry.path, entry.calls);
      if (document) Object.assign(row, documentFields(row, entry.documented));
      row.trend = trendOf(operation, row.p95Ms, earlier, trendRule);
      return row;
    })
    .sort(byPathThenMethod);

  const documentedRows = operations.filter((row) => row.documented);
  const statusCount = documentedRows.reduce((sum, row) => sum + countable(row.documentedStatuses).length, 0);
  const statusesNotSeen = documentedRows.reduce((sum, row) => sum + (row.statusesNotSeen?.length ?? 0), 0);
  const covered = documentedRows.filter((row) => row.covered).length;
  return {
    generatedAt: now.toISOString(),
    runDurationMs: Math.round(input.runDurationMs),
    calls: calls.length,
    failures: operations.reduce((sum, row) => sum + row.failures, 0),
    document: document
      ? {
          source: document.source,
          title: document.api.title,
          version: document.api.version,
          operations: document.api.operations.length,
        }
      : null,
    coverage: document
      ? {
          operations: documentedRows.length,
          covered,
          ratio: share(covered, documentedRows.length),
          statuses: statusCount,
          statusesSeen: statusCount - statusesNotSeen,
          statusRatio: share(statusCount - statusesNotSeen, statusCount),
        }
      : null,
    notCovered: documentedRows.filter((row) => !row.covered).map((row) => row.operation),
    regressions: operations.filter((row) => row.trend?.regression).map((row) => row.operation),
    trendRule,
    operations,
  };
}

function operationRow(operation: string, method: string, path: string, calls: readonly ApiCall[]): OperationRow {
  const answered = calls.filter((call) => call.status !== null);
  const latencies = answered.map((call) => Math.round(call.latencyMs));
  const statuses: Record<string, number> = {};
  for (const call of answered) statuses[String(call.status)] = (statuses[String(call.status)] ?? 0) + 1;
  return {
    operation,
    method,
    path,
    calls: calls.length,
    statuses,
    noResponse: calls.length - answered.length,
    failures: calls.filter((call) => call.status === null || call.status >= 500).length,
    p50Ms: latencies.length > 0 ? percentile(latencies, 50) : null,
    p95Ms: latencies.length > 0 ? percentile(latencies, 95) : null,
    maxMs: latencies.length > 0 ? Math.max(...latencies) : null,
    trend: null,
  };
}

function documentFields(row: OperationRow, documented: DocumentedOperation | undefined): Partial<OperationRow> {
  const seen = Object.keys(row.statuses);
  if (!documented) return { documented: false, covered: seen.length > 0 };
  const matches = (key: string, status: string) => key === status || (/^[1-5]XX$/i.test(key) && key[0] === status[0]);
  const explicit = documented.statuses.filter((key) => key !== 'default');
  return {
    documented: true,
    covered: seen.length > 0,
    documentedStatuses: documented.statuses,
    statusesNotSeen: explicit.filter((key) => !seen.some((status) => matches(key, status))),
    undocumentedStatuses: documented.statuses.includes('default')
      ? []
      : seen.filter((status) => !explicit.some((key) => matches(key, status))),
  };
}

function countable(statuses: readonly string[] = []): string[] {
  return statuses.filter((key) => key !== 'default');
}

function trendOf(
  operation: string,
  p95Ms: number | null,
  earlier: readonly HistoryRun[],
  rule: TrendRule,
): Trend | null {
  const before = earlier.flatMap((run) => (run.p95Ms[operation] === undefined ? [] : [run.p95Ms[operation]]));
  if (p95Ms === null || before.length < rule.minRuns) return null;
  const medianP95Ms = percentile(before, 50);
  const overMs = p95Ms - medianP95Ms;
  const changePercent = medianP95Ms > 0 ? Math.round((100 * overMs) / medianP95Ms) : null;
  const overPercent = medianP95Ms > 0 ? (100 * overMs) / medianP95Ms > rule.thresholdPercent : overMs > 0;
  return { runs: before.length, medianP95Ms, changePercent, regression: overPercent && overMs >= rule.thresholdMs };
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

function byPathThenMethod(a: OperationRow, b: OperationRow): number {
  const rank = (method: string) => (METHOD_ORDER.includes(method) ? METHOD_ORDER.indexOf(method) : METHOD_ORDER.length);
  return a.path.localeCompare(b.path) || rank(a.method) - rank(b.method) || a.method.localeCompare(b.method);
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((1000 * part) / whole) / 1000;
}

// ---------------------------------------------------------------- history

const HistoryLine = z.object({ at: z.string(), target: z.string(), p95Ms: z.record(z.string(), z.number()) });

/** This run as a history line: the p95 of every operation that got an answer. */
export function historyRun(summary: ApiSummary, target: string): HistoryRun {
  const p95Ms = Object.fromEntries(
    summary.operations.flatMap((row) => (row.p95Ms === null ? [] : [[row.operation, row.p95Ms] as const])),
  );
  return { at: summary.generatedAt, target, p95Ms };
}

/** The runs of a JSON-lines history, oldest first; a damaged line is skipped, the history is only a hint. */
export function parseHistory(text: string): HistoryRun[] {
  return text.split('\n').flatMap((line) => {
    const run = line.trim() ? HistoryLine.safeParse(jsonOfText(line)) : undefined;
    return run?.success ? [run.data] : [];
  });
}

/** Keeps the last `limit` runs of each target, in order. */
export function trimHistory(runs: readonly HistoryRun[], limit: number): HistoryRun[] {
  const left = new Map<string, number>();
  const kept: HistoryRun[] = [];
  for (const run of [...runs].reverse()) {
    const count = left.get(run.target) ?? 0;
    if (count >= limit) continue;
    left.set(run.target, count + 1);
    kept.unshift(run);
  }
  return kept;
}

export function renderHistory(runs: readonly HistoryRun[]): string {
  return runs.map((run) => `${JSON.stringify(run)}\n`).join('');
}

function jsonOfText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- gate

/** One line per miss of the CI gate; none when it passes. */
export function gateMisses(summary: ApiSummary, gate: ApiGate): string[] {
  const misses: string[] = [];
  if (gate.coverageMin !== undefined) {
    if (!summary.coverage) {
      misses.push(
        `API_COVERAGE_MIN is ${gate.coverageMin}, but the summary had no OpenAPI document to measure coverage against.`,
      );
    } else if (summary.coverage.ratio < gate.coverageMin) {
      misses.push(
        `Coverage ${summary.coverage.ratio} is below API_COVERAGE_MIN ${gate.coverageMin}: ` +
          `${summary.coverage.covered} of ${summary.coverage.operations} documented operations were called.`,
      );
    }
  }
  for (const required of gate.requiredOperations) {
    const row = summary.operations.find((candidate) => operationKey(candidate.operation) === operationKey(required));
    const answered = row ? Object.keys(row.statuses).length > 0 : false;
    if (!answered) {
      misses.push(
        row && row.calls > 0
          ? `${required} is required (API_REQUIRED_OPERATIONS), but none of its ${count(row.calls, 'call')} got an answer.`
          : `${required} is required (API_REQUIRED_OPERATIONS), but no test called it.`,
      );
    }
  }
  return misses;
}

// ---------------------------------------------------------------- rendering

const COLUMNS = ['operation', 'calls', 'statuses', 'p50', 'p95', 'max', 'failures', 'p95 trend'];
const DOCUMENT_COLUMNS = ['coverage', 'documented statuses not seen'];

function rows(summary: ApiSummary): string[][] {
  return summary.operations.map((row) => [
    row.operation,
    String(row.calls),
    statusesText(row),
    duration(row.p50Ms),
    duration(row.p95Ms),
    duration(row.maxMs),
    String(row.failures),
    trendText(row.trend),
    ...(summary.document
      ? [
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

/** `500×1 no answer×2`: the answers that count as failures. */
function failuresText(row: OperationRow): string {
  const failed = Object.entries(row.statuses).filter(([status]) => Number(status) >= 500);
  return [
    ...failed.map(([status, n]) => `${status}×${n}`),
    ...(row.noResponse > 0 ? [`no answer×${row.noResponse}`] : []),
  ].join(' ');
}

function signed(changePercent: number | null): string {
  return changePercent === null ? 'from 0 ms' : `${changePercent >= 0 ? '+' : ''}${changePercent} %`;
}

function trendText(trend: Trend | null): string {
  if (!trend) return '–';
  const change = trend.changePercent === null ? '' : ` (${signed(trend.changePercent)})`;
  return `${trend.regression ? 'slower: ' : ''}median ${duration(trend.medianP95Ms)} of ${count(trend.runs, 'run')}${change}`;
}

export function headline(summary: ApiSummary): string {
  const operations = summary.operations.filter((row) => row.calls > 0).length;
  const parts = [
    `${count(summary.calls, 'call')} to ${count(operations, 'operation')}`,
    `${count(summary.failures, 'failure')} (no answer or 5xx)`,
  ];
  if (summary.coverage) {
    parts.push(
      `${summary.coverage.covered} of ${summary.coverage.operations} documented operations covered (${percent(summary.coverage.ratio)})`,
      `${summary.coverage.statusesSeen} of ${summary.coverage.statuses} documented statuses seen`,
    );
  }
  return `${parts.join(', ')}.`;
}

function trendRuleText(rule: TrendRule): string {
  return (
    `A p95 is flagged when it is more than ${rule.thresholdPercent} % and at least ${rule.thresholdMs} ms over the median p95 ` +
    `of the last ${rule.keptRuns} runs (with ${rule.minRuns} runs at least); a flag is information, not a failure.`
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
    '# API summary',
    '',
    `${headline(summary)} Latencies are of the answered calls. ${source}`,
    '',
    line(columns),
    line(columns.map(() => '---')),
    ...rows(summary).map(line),
    '',
    ...(summary.notCovered.length > 0
      ? ['## Documented operations never called', '', ...summary.notCovered.map((operation) => `- ${operation}`), '']
      : []),
    ...(summary.regressions.length > 0
      ? ['## p95 beyond its usual', '', ...summary.regressions.map((operation) => `- ${operation}`), '']
      : []),
    trendRuleText(summary.trendRule),
    '',
  ].join('\n');
}

/** A few lines for the end of a run; the tables are in the files. */
export function renderText(summary: ApiSummary, detailsFile: string): string {
  const slowest = summary.operations
    .filter((row) => row.p95Ms !== null)
    .sort((a, b) => b.p95Ms! - a.p95Ms! || a.operation.localeCompare(b.operation))
    .slice(0, 3)
    .map((row) => `${row.operation} ${duration(row.p95Ms)}`);
  const failing = summary.operations.filter((row) => row.failures > 0);
  // The largest changes first, a few of them: on a loaded machine every operation may be slower at once.
  const regressions = summary.operations
    .filter((row) => row.trend?.regression)
    .sort((a, b) => (b.trend!.changePercent ?? Infinity) - (a.trend!.changePercent ?? Infinity));
  const shown = regressions
    .slice(0, 3)
    .map((row) => `${row.operation} ${duration(row.p95Ms)} (${signed(row.trend!.changePercent)})`);
  const more = regressions.length > shown.length ? ` and ${regressions.length - shown.length} more` : '';
  return [
    `API summary: ${headline(summary)}`,
    ...(slowest.length > 0 ? [`  slowest p95: ${slowest.join(' · ')}`] : []),
    ...(failing.length > 0
      ? [`  failures: ${failing.map((row) => `${row.operation} ${failuresText(row)}`).join(' · ')}`]
      : []),
    ...(summary.notCovered.length > 0 ? [`  never called: ${summary.notCovered.join(', ')}`] : []),
    ...(regressions.length > 0 ? [`  p95 beyond its usual: ${shown.join(' · ')}${more}`] : []),
    `  details: ${detailsFile}`,
  ].join('\n');
}

// Bar colours: dark for p50, light for p95.
const COLOURS = {
  usual: { p50: '#2f6fbf', p95: '#9cc3f0', text: '#444' },
  failing: { p50: '#c0392b', p95: '#f0b3a8', text: '#a40000' },
  slower: { p50: '#d9822b', p95: '#f5c98f', text: '#9a5200' },
};

/** A bar per operation (p50, p95 and max on one scale), the documented ones never called in grey. */
export function renderSvg(summary: ApiSummary): string {
  const width = 1000;
  const labelWidth = 340;
  const barWidth = width - labelWidth - 20;
  const rowHeight = 46;
  const top = 86;
  const height = top + rowHeight * summary.operations.length + 10;
  const scaleMs = Math.max(1, ...summary.operations.map((row) => row.maxMs ?? 0));
  const x = (ms: number | null) => labelWidth + ((ms ?? 0) / scaleMs) * barWidth;
  const bars = summary.operations.map((row, index) => {
    const y = top + index * rowHeight;
    const neverCalled = row.calls === 0;
    const colours = row.failures > 0 ? COLOURS.failing : row.trend?.regression ? COLOURS.slower : COLOURS.usual;
    const detail = neverCalled
      ? 'documented, never called'
      : [
          count(row.calls, 'call'),
          statusesText(row),
          `p50 ${duration(row.p50Ms)} · p95 ${duration(row.p95Ms)} · max ${duration(row.maxMs)}`,
          ...(row.failures > 0 ? [count(row.failures, 'failure')] : []),
          ...(row.trend?.regression
            ? [`p95 ${signed(row.trend.changePercent)} on the median of ${count(row.trend.runs, 'run')}`]
            : []),
          ...(row.documented === false ? ['not in the document'] : []),
        ].join(' · ');
    const bar =
      row.p95Ms === null
        ? ''
        : [
            `<rect x="${labelWidth}" y="${y}" width="${(x(row.p95Ms) - labelWidth).toFixed(1)}" height="18" fill="${colours.p95}"/>`,
            `<rect x="${labelWidth}" y="${y}" width="${(x(row.p50Ms) - labelWidth).toFixed(1)}" height="18" fill="${colours.p50}"/>`,
            `<line x1="${x(row.maxMs).toFixed(1)}" y1="${y - 3}" x2="${x(row.maxMs).toFixed(1)}" y2="${y + 21}" stroke="#333" stroke-width="2"/>`,
          ].join('\n');
    return [
      `<text x="0" y="${y + 14}" font-size="13" font-family="monospace" fill="${neverCalled ? '#999' : '#111'}">${escapeXml(row.operation)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="18" fill="${neverCalled ? '#f4f4f4' : '#eef1f5'}" stroke="#c4cad3"/>`,
      bar,
      // Under the whole row, label included: the details are longer than the bar.
      `<text x="0" y="${y + 34}" font-size="12" fill="${neverCalled ? '#999' : colours.text}">${escapeXml(detail)}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<text x="0" y="20" font-size="16">Latency per operation, on one scale from 0 to ${duration(scaleMs)}: dark p50, light p95, tick max.</text>`,
    '<text x="0" y="42" font-size="13">Red: failures (no answer or 5xx). Orange: a p95 beyond its usual. Grey: documented, never called.</text>',
    `<text x="0" y="64" font-size="13">${escapeXml(headline(summary))}</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
