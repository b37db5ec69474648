import { z } from 'zod';

// The error bodies APIs commonly answer with, most specific first. None of them is a product
// contract: they only let a failure message say what the API said.

/** RFC 9457 problem details (`application/problem+json`). */
export const ProblemDetails = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.int().optional(),
  detail: z.string().optional(),
});

const SHAPES: ReadonlyArray<(body: Record<string, unknown>) => string | undefined> = [
  // {code, message}: many JSON APIs
  (body) =>
    body['code'] !== undefined && body['message'] !== undefined ? joined(body['code'], body['message']) : undefined,
  // {error: {code, message}}: Google-style and many gateways
  (body) => {
    const error = body['error'];
    return isRecord(error) ? joined(error['code'] ?? error['status'], error['message']) : undefined;
  },
  // {error, error_description}: OAuth 2.0 (RFC 6749 §5.2)
  (body) => (typeof body['error'] === 'string' ? joined(body['error'], body['error_description']) : undefined),
  // RFC 9457 problem details
  (body) => {
    const problem = ProblemDetails.safeParse(body);
    if (!problem.success || (problem.data.title === undefined && problem.data.detail === undefined)) return undefined;
    return joined(problem.data.title, problem.data.detail);
  },
  // {message, reason}, {message}
  (body) => joined(body['reason'], body['message']),
];

/**
 * A short summary of an error body for a failure message: `INVALID_CREDENTIALS: Wrong password`,
 * `invalid_client: Unknown client`, a problem's title and detail, an HTML page's title. Undefined
 * when the body says nothing recognisable. The caller redacts it like any other text.
 */
export function summarizeErrorBody(body: unknown): string | undefined {
  if (isRecord(body)) {
    for (const shape of SHAPES) {
      const summary = shape(body);
      if (summary) return summary;
    }
    return undefined;
  }
  if (typeof body !== 'string') return undefined;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  if (title) return `HTML page "${title}"`;
  const text = body.trim();
  if (!text || text.startsWith('<')) return undefined;
  return text.length <= 200 ? text : `${text.slice(0, 200)}…`;
}

/** The machine-readable code of an error body (`code`, `error`, `error.code`), when it has one. */
export function errorCodeOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const error = body['error'];
  for (const candidate of [
    body['code'],
    typeof error === 'string' ? error : undefined,
    isRecord(error) ? error['code'] : undefined,
  ]) {
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  return undefined;
}

function joined(...parts: unknown[]): string | undefined {
  const texts = parts.filter((part): part is string | number => typeof part === 'string' || typeof part === 'number');
  if (texts.length === 0 || !texts.some((part) => typeof part === 'string')) return undefined;
  return texts.map(String).join(': ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
