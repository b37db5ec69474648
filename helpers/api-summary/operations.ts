import { matchOperation, pathOnly } from '../openapi/match';
import type { SummaryDocument } from './summarize';

// How a call is named as an operation: by the document's own template when the document has it
// (`GET /things/{thing_id}`), else by the route-template rule.

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

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The operation a call belongs to: the documented one, or its method and route template. */
export function operationOfCall(document: SummaryDocument | undefined, method: string, path: string): string {
  const documented = document && matchOperation(document, method, path);
  return documented ? `${documented.method} ${documented.template}` : `${method.toUpperCase()} ${routeTemplate(path)}`;
}

/** An operation as its settings spell it: `GET /items/{id}`. */
export const OPERATION = /^([A-Za-z]+)\s+(\/\S*)$/;

/** `get /tasks/{taskId}` → `GET /tasks/{}`: two spellings of one operation compare equal. */
export function operationKey(operation: string): string {
  const match = OPERATION.exec(operation.trim());
  if (!match) return operation.trim();
  return `${match[1]!.toUpperCase()} ${match[2]!.replace(/\{[^}]*\}/g, '{}')}`;
}
