import { z } from 'zod';
import { type Redactor, truncate } from '../secrets/redactor';
import type { Exchange } from './client';

const MAX_BODY_CHARS = 64_000;

// Every exchange is attached to its test's report as two JSON attachments, `<METHOD> <path> request`
// and `… response`: the reports show them, and the API summary and the recording read them back.
const REQUEST = ' request';
const RESPONSE = ' response';

/** The names of an exchange's two attachments. */
export function attachmentNamesOf(exchange: Exchange, redactor: Redactor): { request: string; response: string } {
  const name = `${exchange.method} ${redactor.text(exchange.path)}`;
  return { request: `${name}${REQUEST}`, response: `${name}${RESPONSE}` };
}

/** Which exchange an attachment's name is a half of, and which half; undefined for any other attachment. */
export function exchangeHalfOf(attachmentName: string): { call: string; half: 'request' | 'response' } | undefined {
  if (attachmentName.endsWith(REQUEST)) return { call: attachmentName.slice(0, -REQUEST.length), half: 'request' };
  if (attachmentName.endsWith(RESPONSE)) return { call: attachmentName.slice(0, -RESPONSE.length), half: 'response' };
  return undefined;
}

/** The request half of an exchange as a report shows it: secrets redacted, large bodies truncated. */
export function describeRequest(exchange: Exchange, redactor: Redactor) {
  return {
    identity: exchange.identity,
    method: exchange.method,
    path: redactor.text(exchange.path),
    startedAt: exchange.startedAt.toISOString(),
    headers: redactor.headers(exchange.request.headers),
    ...(exchange.request.body === undefined ? {} : { body: bodyForReport(exchange.request.body, redactor) }),
    ...(exchange.channel ? { channel: exchange.channel } : {}),
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

const ReportedRequest = z.object({
  identity: z.string().default('anonymous'),
  method: z.string().min(1),
  path: z.string(),
  startedAt: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.unknown().optional(),
  channel: z.enum(['sse', 'websocket']).optional(),
});
const ReportedResponse = z.union([
  z.object({ status: z.int(), latencyMs: z.number().nonnegative(), body: z.unknown().optional() }),
  z.object({ error: z.string(), latencyMs: z.number().nonnegative() }),
]);

/**
 * An exchange as its report attachments show it: headers redacted, JSON bodies parsed (a body that
 * was not JSON is a string). `response` is undefined when no HTTP answer came back.
 */
export type ReportedExchange = z.infer<typeof ReportedRequest> & {
  latencyMs: number;
  response: { status: number; body: unknown } | undefined;
};

type Attachment = { name: string; contentType: string; body?: Buffer };

/**
 * The exchanges among a test's attachments, in the order their answers came. A response pairs with
 * the earliest unpaired request of the same name: exchanges made at the same time may attach their
 * halves interleaved. Other attachments are passed over.
 */
export function exchangesFromAttachments(attachments: readonly Attachment[]): ReportedExchange[] {
  const pending = new Map<string, Array<z.infer<typeof ReportedRequest>>>();
  const exchanges: ReportedExchange[] = [];
  for (const attachment of attachments) {
    if (!attachment.body || !attachment.contentType.startsWith('application/json')) continue;
    if (attachment.name.endsWith(REQUEST)) {
      const request = ReportedRequest.safeParse(jsonOf(attachment.body));
      const name = attachment.name.slice(0, -REQUEST.length);
      if (request.success) pending.set(name, [...(pending.get(name) ?? []), request.data]);
    } else if (attachment.name.endsWith(RESPONSE)) {
      const response = ReportedResponse.safeParse(jsonOf(attachment.body));
      const request = pending.get(attachment.name.slice(0, -RESPONSE.length))?.shift();
      if (!response.success || !request) continue;
      const answer = 'status' in response.data ? { status: response.data.status, body: response.data.body } : undefined;
      exchanges.push({ ...request, latencyMs: response.data.latencyMs, response: answer });
    }
  }
  return exchanges;
}

// The summaries and the Allure labels read the same attachments of a test: each body is parsed once
// (by the body itself: a body redacted again is a new one).
const parsed = new WeakMap<Buffer, unknown>();

function jsonOf(body: Buffer): unknown {
  if (parsed.has(body)) return parsed.get(body);
  const json = parseJson(body);
  parsed.set(body, json);
  return json;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
