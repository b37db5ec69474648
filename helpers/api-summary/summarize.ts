import { matchOperation } from '../openapi/match';
import type { ApiDocument, DocumentedOperation } from '../openapi/operations';

/** What the summary reads of a document: its title, version, base paths, and each operation's statuses. */
export type SummaryDocument = Pick<ApiDocument, 'title' | 'version' | 'basePaths'> & {
  operations: Array<Pick<DocumentedOperation, 'method' | 'template' | 'statuses'>>;
};
type Documented = SummaryDocument['operations'][number];
import { percentile } from '../reports/statistics';
import type { ApiCall } from './calls';
import { routeTemplate } from './operations';

// The API summary of a run: every call the client fixtures reported, per operation (method and
// path template, the document's own when it has the call), against the OpenAPI document when there
// is one. How it changes between runs is Allure's to show: its figures go to the report as
// performance metrics (helpers/reports/metrics.ts).

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
  /** Answers that broke the OpenAPI document, as the conformance check found them (docs/contracts.md). */
  nonconforming: number;
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
  nonconforming: number;
  document: { source: string; title: string | undefined; version: string | undefined; operations: number } | null;
  coverage: Coverage | null;
  /** Documented operations that no call exercised. */
  notCovered: string[];
  operations: OperationRow[];
};

export type SummaryInput = {
  calls: readonly ApiCall[];
  runDurationMs: number;
  document?: { source: string; api: SummaryDocument } | undefined;
  environment?: string | undefined;
  now?: Date;
};

export function summarizeApiCalls(input: SummaryInput): ApiSummary {
  const { calls, document, environment, now = new Date() } = input;
  const byOperation = new Map<string, { method: string; path: string; documented?: Documented; calls: ApiCall[] }>();
  const add = (method: string, path: string, documented: Documented | undefined, call?: ApiCall) => {
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
    nonconforming: operations.reduce((sum, row) => sum + row.nonconforming, 0),
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
    nonconforming: calls.filter((call) => call.nonconforming).length,
    p50Ms: latencies.length > 0 ? percentile(latencies, 50) : null,
    p95Ms: latencies.length > 0 ? percentile(latencies, 95) : null,
    maxMs: latencies.length > 0 ? Math.max(...latencies) : null,
  };
}

function isFailure(call: ApiCall): boolean {
  return call.status === null || call.status >= 500;
}

function documentFields(row: OperationRow, documented: Documented | undefined): Partial<OperationRow> {
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
