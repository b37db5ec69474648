import { exchangesFromAttachments } from '../http/exchange-report';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Env, settingsOf } from '../env';
import { percentile } from './statistics';
import { count, wrapItems, wrapWords } from './text-lines';

// The API summary of a run: every call the client fixtures reported, per operation (method and
// path template), against the OpenAPI document when there is one. How it changes between runs is
// Allure's to show: its figures go to the report as performance metrics (metrics.ts).

/** One call as its report attachments tell it: `<METHOD> <path> request` and `… response`. */
export type ApiCall = {
  method: string;
  /** As sent, query string included. */
  path: string;
  /** Null when no answer came (connection refused, timeout). */
  status: number | null;
  latencyMs: number;
  /** Made by a wait whose failure the test provoked on purpose (see waitUntilReady's expectedOutcome). */
  provoked?: boolean;
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
  /** No answer, or a 5xx, but for those a test provoked on purpose. */
  failures: number;
  /** No answer, or a 5xx, in a wait whose failure the test provoked on purpose. */
  provoked: number;
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

export type ApiSummary = {
  generatedAt: string;
  /** API_ENV of the run; null when it named none. */
  environment: string | null;
  runDurationMs: number;
  calls: number;
  failures: number;
  provoked: number;
  document: { source: string; title: string | undefined; version: string | undefined; operations: number } | null;
  coverage: Coverage | null;
  /** Documented operations that no call exercised. */
  notCovered: string[];
  operations: OperationRow[];
};

// ---------------------------------------------------------------- settings

const DocumentSettings = z.object({
  OPENAPI_DOCUMENT: z.string().trim().min(1, { error: 'expected a URL or a file' }).optional(),
});

/** OPENAPI_DOCUMENT: the URL or file of the API's OpenAPI document, if set. */
export function openApiDocumentSetting(env: Env): string | undefined {
  return settingsOf(env, DocumentSettings).OPENAPI_DOCUMENT;
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

/** An operation as its settings spell it: `GET /items/{id}`. */
export const OPERATION = /^([A-Za-z]+)\s+(\/\S*)$/;

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
  environment?: string | undefined;
  now?: Date;
};

/** The operation a call belongs to: the documented one, or its method and route template. */
export function operationOfCall(document: ApiDocument | undefined, method: string, path: string): string {
  const documented = document && matchOperation(document, method, path);
  return documented ? `${documented.method} ${documented.template}` : `${method.toUpperCase()} ${routeTemplate(path)}`;
}

export function summarizeApiCalls(input: SummaryInput): ApiSummary {
  const { calls, document, environment, now = new Date() } = input;
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

  const operations = [...byOperation.entries()]
    .map(([operation, entry]) => {
      const row = operationRow(operation, entry.method, entry.path, entry.calls);
      if (document) Object.assign(row, documentFields(row, entry.documented));
      return row;
    })
    .sort(byPathThenMethod);

  const documentedRows = operations.filter((row) => row.documented);
  const statusCount = documentedRows.reduce((sum, row) => sum + countable(row.documentedStatuses).length, 0);
  const statusesNotSeen = documentedRows.reduce((sum, row) => sum + (row.statusesNotSeen?.length ?? 0), 0);
  const covered = documentedRows.filter((row) => row.covered).length;
  return {
    generatedAt: now.toISOString(),
    environment: environment ?? null,
    runDurationMs: Math.round(input.runDurationMs),
    calls: calls.length,
    failures: operations.reduce((sum, row) => sum + row.failures, 0),
    provoked: operations.reduce((sum, row) => sum + row.provoked, 0),
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
    failures: calls.filter((call) => isFailure(call) && !call.provoked).length,
    provoked: calls.filter((call) => isFailure(call) && call.provoked).length,
    p50Ms: latencies.length > 0 ? percentile(latencies, 50) : null,
    p95Ms: latencies.length > 0 ? percentile(latencies, 95) : null,
    maxMs: latencies.length > 0 ? Math.max(...latencies) : null,
  };
}

function isFailure(call: ApiCall): boolean {
  return call.status === null || call.status >= 500;
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

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

function byPathThenMethod(a: OperationRow, b: OperationRow): number {
  const rank = (method: string) => (METHOD_ORDER.includes(method) ? METHOD_ORDER.indexOf(method) : METHOD_ORDER.length);
  return a.path.localeCompare(b.path) || rank(a.method) - rank(b.method) || a.method.localeCompare(b.method);
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((1000 * part) / whole) / 1000;
}

// ---------------------------------------------------------------- rendering

const COLUMNS = ['operation', 'calls', 'statuses', 'p50', 'p95', 'max', 'failures', 'provoked'];
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
    String(row.provoked),
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
