import type { z } from 'zod';
import { jsonOrText } from '../contracts/body';
import { checkContract } from '../contracts/check';
import { errorCodeOf } from '../contracts/error-body';
import { Redactor } from '../secrets/redactor';
import type { Verdict } from '../wait/outcomes';
import type { Classifier } from './wait';

/** What the classifiers need of a response; Playwright's APIResponse has it. */
export type HttpObservation = {
  status(): number;
  headers(): Record<string, string>;
  text(): Promise<string>;
};

const EVIDENCE_CHARS = 2_000;

/**
 * The server's hint of when to look again: `Retry-After` (whole seconds or an HTTP date), or the
 * `retry-after-ms` (milliseconds) that some APIs send beside it. Undefined without a usable hint.
 */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) {
    return milliseconds;
  }
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * For a resource with a status field, such as an asynchronous task: `completed` is ready, `failed`
 * is a terminal failure carrying the server's error, anything else is not ready yet, and the phase it
 * is in (`queued`, `processing`…), whose duration the schedule learns. Any HTTP status but 200, and
 * any body that breaks the schema, is fatal.
 */
export function byStatusField<S extends z.ZodType>(options: {
  schema: S;
  field?: string;
  ready?: readonly string[];
  failed?: readonly string[];
  /** The body field that gives the place in a queue while it waits (`queuePosition`, say), if the API has one. */
  queuePositionField?: string;
  /** The server's explanation of a failure; by default the body's `error` as `CODE: message`. */
  errorOf?: (body: z.infer<S>) => string;
  redactor?: Redactor;
}): Classifier<HttpObservation, z.infer<S>> {
  const field = options.field ?? 'status';
  const ready = options.ready ?? ['completed'];
  const failed = options.failed ?? ['failed'];
  const redactor = options.redactor ?? new Redactor();
  return async (response) => {
    const parsed = await parseOk(response, options.schema, redactor, 200);
    if (parsed.kind === 'fatal') return parsed;
    const body = parsed.body as Record<string, unknown>;
    const value = String(body[field]);
    const observed = `${field} ${value}`;
    const httpStatus = response.status();
    if (ready.includes(value)) return { kind: 'ready', value: parsed.body, observed, httpStatus };
    if (failed.includes(value)) {
      const reason = (options.errorOf ?? defaultError)(parsed.body);
      return { kind: 'fatal', category: 'terminal-failure', observed, httpStatus, evidence: `${observed}: ${reason}` };
    }
    const position = options.queuePositionField === undefined ? undefined : body[options.queuePositionField];
    return {
      kind: 'not-ready',
      observed: typeof position === 'number' && position > 0 ? `${observed} (queue position ${position})` : observed,
      httpStatus,
      retryAfterMs: retryAfterMs(response.headers()),
      phase: value,
      queuePosition: typeof position === 'number' && position > 0 ? position : undefined,
    };
  };
}

/**
 * For a call that answers one specific refusal until the resource is ready, such as a login that
 * answers `403 {code: "ASSETS_NOT_READY"}`: only that status with that code is retried. Every other
 * status is fatal, a 500 above all: retrying it would hide a real bug.
 */
export function notReadyWhileRefused<S extends z.ZodType>(options: {
  status: number;
  code: string;
  /** The schema of the ready answer (status 200 unless readyStatus says otherwise). */
  schema: S;
  readyStatus?: number;
  redactor?: Redactor;
}): Classifier<HttpObservation, z.infer<S>> {
  const redactor = options.redactor ?? new Redactor();
  const readyStatus = options.readyStatus ?? 200;
  return async (response) => {
    const httpStatus = response.status();
    if (httpStatus === options.status) {
      const text = await response.text();
      if (errorCodeOf(jsonOrText(text)) === options.code) {
        return {
          kind: 'not-ready',
          observed: `HTTP ${httpStatus} ${options.code}`,
          httpStatus,
          retryAfterMs: retryAfterMs(response.headers()),
        };
      }
      return unexpected(httpStatus, text, redactor, `only ${options.status} ${options.code} means not ready`);
    }
    const parsed = await parseOk(response, options.schema, redactor, readyStatus, `${options.status} ${options.code}`);
    if (parsed.kind === 'fatal') return parsed;
    return { kind: 'ready', value: parsed.body, observed: `HTTP ${httpStatus}`, httpStatus };
  };
}

/** For an operation that answers 202 Accepted until it is done: 202 is not ready, 200/201 is ready. */
export function notReadyWhileAccepted<S extends z.ZodType>(options: {
  schema: S;
  redactor?: Redactor;
}): Classifier<HttpObservation, z.infer<S>> {
  const redactor = options.redactor ?? new Redactor();
  return async (response) => {
    const httpStatus = response.status();
    if (httpStatus === 202) {
      return { kind: 'not-ready', observed: 'HTTP 202', httpStatus, retryAfterMs: retryAfterMs(response.headers()) };
    }
    const parsed = await parseOk(response, options.schema, redactor, [200, 201], '202');
    if (parsed.kind === 'fatal') return parsed;
    return { kind: 'ready', value: parsed.body, observed: `HTTP ${httpStatus}`, httpStatus };
  };
}

/** For a sentinel whose body says whether the awaited state is reached, e.g. an in-flight counter. */
export function whenBody<S extends z.ZodType>(options: {
  schema: S;
  isReady: (body: z.infer<S>) => boolean;
  describe: (body: z.infer<S>) => string;
  redactor?: Redactor;
}): Classifier<HttpObservation, z.infer<S>> {
  const redactor = options.redactor ?? new Redactor();
  return async (response) => {
    const parsed = await parseOk(response, options.schema, redactor, 200);
    if (parsed.kind === 'fatal') return parsed;
    const observed = options.describe(parsed.body);
    const httpStatus = response.status();
    if (options.isReady(parsed.body)) return { kind: 'ready', value: parsed.body, observed, httpStatus };
    return { kind: 'not-ready', observed, httpStatus, retryAfterMs: retryAfterMs(response.headers()) };
  };
}

type Parsed<T> = { kind: 'ok'; body: T } | Extract<Verdict<never>, { kind: 'fatal' }>;

async function parseOk<S extends z.ZodType>(
  response: HttpObservation,
  schema: S,
  redactor: Redactor,
  expected: number | readonly number[],
  notReadySignal?: string,
): Promise<Parsed<z.infer<S>>> {
  const httpStatus = response.status();
  const text = await response.text();
  const allowed = typeof expected === 'number' ? [expected] : expected;
  if (!allowed.includes(httpStatus)) {
    const hint = notReadySignal ? `only ${notReadySignal} means not ready` : `expected HTTP ${allowed.join(' or ')}`;
    return unexpected(httpStatus, text, redactor, hint);
  }
  const check = checkContract(schema, jsonOrText(text), redactor);
  if (check.success) return { kind: 'ok', body: check.data };
  return {
    kind: 'fatal',
    category: 'contract-violation',
    observed: `HTTP ${httpStatus} with a body that breaks the contract`,
    httpStatus,
    evidence: `the body breaks the contract.\n${check.explanation}`,
  };
}

function unexpected(httpStatus: number, text: string, redactor: Redactor, hint: string) {
  const body = jsonOrText(text);
  const code = errorCodeOf(body);
  const observed = redactor.text(code ? `HTTP ${httpStatus} ${code}` : `HTTP ${httpStatus}`);
  return {
    kind: 'fatal' as const,
    category: 'unexpected-status' as const,
    observed,
    httpStatus,
    evidence: `${observed}, not retried (${hint}).\nBody:\n${redactor.body(text, EVIDENCE_CHARS)}`,
  };
}

function defaultError(body: unknown): string {
  const error = (body as { error?: { code?: string; message?: string } | null }).error;
  if (!error) return 'the server gave no error';
  return [error.code, error.message].filter(Boolean).join(': ');
}
