import { exchangesFromAttachments } from '../http/exchange-report';
import { nonconformitiesFromAttachments } from '../openapi/nonconformity';

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
  /** Its answer broke the OpenAPI document (OPENAPI_CONFORMANCE, docs/contracts.md). */
  nonconforming?: boolean;
};

type Attachment = { name: string; contentType: string; body?: Buffer };

/**
 * The calls among a test's attachments (see exchangesFromAttachments), as the summary counts them: a
 * nonconformity noted on the test marks the first call of its method, path and status not yet marked.
 */
export function callsFromAttachments(attachments: readonly Attachment[]): ApiCall[] {
  const calls: ApiCall[] = exchangesFromAttachments(attachments).map((exchange) => ({
    method: exchange.method.toUpperCase(),
    path: exchange.path,
    status: exchange.response?.status ?? null,
    latencyMs: exchange.latencyMs,
  }));
  for (const found of nonconformitiesFromAttachments(attachments)) {
    const call = calls.find(
      (candidate) =>
        !candidate.nonconforming &&
        candidate.method === found.method.toUpperCase() &&
        candidate.path === found.path &&
        candidate.status === found.status,
    );
    if (call) call.nonconforming = true;
  }
  return calls;
}
