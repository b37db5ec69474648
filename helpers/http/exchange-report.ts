import type { Exchange } from './client';
import { type Redactor, truncate } from '../secrets/redactor';

const MAX_BODY_CHARS = 64_000;

/** The request half of an exchange as a report shows it: secrets redacted, large bodies truncated. */
export function describeRequest(exchange: Exchange, redactor: Redactor) {
  return {
    identity: exchange.identity,
    method: exchange.method,
    path: redactor.text(exchange.path),
    startedAt: exchange.startedAt.toISOString(),
    headers: redactor.headers(exchange.request.headers),
    ...(exchange.request.body === undefined ? {} : { body: bodyForReport(exchange.request.body, redactor) }),
  };
}

/** The response half of an exchange (or the error that replaced it) as a report shows it. */
export function describeResponse(exchange: Exchange, redactor: Redactor) {
  const latencyMs = Math.round(exchange.latencyMs);
  if (!exchange.response) {
    return { error: redactor.text(exchange.error?.message ?? 'no response'), latencyMs };
  }
  return {
    status: exchange.response.status,
    latencyMs,
    // Playwright's own phases, in ms from the start of the request: responseStart is the time to first byte.
    ...(exchange.timing ? { timing: exchange.timing } : {}),
    headers: redactor.headers(exchange.response.headers),
    body: bodyForReport(exchange.response.body, redactor),
  };
}

// JSON stays structured (reports render it as a tree); a large one is redacted field by field
// before it is cut; anything else is shown as redacted text.
function bodyForReport(body: string, redactor: Redactor): unknown {
  let json: unknown;
  try {
    json = redactor.json(JSON.parse(body));
  } catch {
    return truncate(redactor.text(body), MAX_BODY_CHARS);
  }
  const text = JSON.stringify(json, null, 2);
  return text.length <= MAX_BODY_CHARS ? json : truncate(text, MAX_BODY_CHARS);
}
