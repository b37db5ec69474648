import type { APIRequestContext, APIResponse } from '@playwright/test';
import { sendWithRenewal } from './renewal';

type FetchOptions = NonNullable<Parameters<APIRequestContext['fetch']>[1]> & {
  /** `false`: the answer is not checked against the OpenAPI document (a fault the test provokes). */
  conformance?: false;
};
export type RequestOptions = Omit<FetchOptions, 'method'>;

/** One request and its response, as the client saw them. Headers and bodies are not redacted yet. */
export type Exchange = {
  /** Who sent it, as the client was labelled: a role, `anonymous`, `fresh user`… */
  identity: string;
  method: string;
  /** Path and query, relative to the base URL. */
  path: string;
  startedAt: Date;
  /** Wall-clock time from sending the request to having read the whole response. */
  latencyMs: number;
  /** The phases Playwright measured, when it gives them (time to first byte among them). */
  timing?: ResponseTiming | undefined;
  request: { headers: Record<string, string>; body: string | undefined };
  /** Undefined when no HTTP response came back (connection refused, timeout). */
  response: { status: number; headers: Record<string, string>; body: string } | undefined;
  error: Error | undefined;
  /** Set when the request opened an event stream or a WebSocket: a plain request cannot replay it. */
  channel?: 'sse' | 'websocket' | undefined;
};

/** What an exchange is known by before it is sent: the title of its report step. */
export type ExchangeStart = Pick<Exchange, 'identity' | 'method' | 'path'> & { conformance?: false };

/**
 * Reports an exchange: `send` makes the request and resolves to the exchange once it is done, so
 * that a report step can span the call itself. The fixtures turn it into a step with attachments.
 */
export type ExchangeReporter = (start: ExchangeStart, send: () => Promise<Exchange>) => Promise<Exchange>;

/** A credential header: `Authorization: Bearer …`, `X-API-Key: …`. */
export type AuthHeader = { name: string; value: string };

/** Gives the credential header of an identity and renews it when the API rejects it. */
export type AuthSource = {
  header(): Promise<AuthHeader>;
  /** Called with the header the API answered 401 to; resolves to the header to retry with, or
   *  undefined when the credential cannot be renewed (a static token): the 401 is then the answer. */
  renew(rejected: AuthHeader): Promise<AuthHeader | undefined>;
};

/** An APIRequestContext's request methods, each one timed, recorded and, with an AuthSource, authenticated. */
export type ApiClient = {
  fetch(url: string, options?: FetchOptions): Promise<APIResponse>;
  get(url: string, options?: RequestOptions): Promise<APIResponse>;
  post(url: string, options?: RequestOptions): Promise<APIResponse>;
  put(url: string, options?: RequestOptions): Promise<APIResponse>;
  patch(url: string, options?: RequestOptions): Promise<APIResponse>;
  delete(url: string, options?: RequestOptions): Promise<APIResponse>;
  head(url: string, options?: RequestOptions): Promise<APIResponse>;
};

export type ApiClientOptions = {
  /** Without one, the client sends no Authorization header of its own. */
  auth?: AuthSource;
  /** A label for the exchanges' records; `anonymous` by default. */
  identity?: string;
  report: ExchangeReporter;
  now?: () => number;
};

export function createApiClient(context: APIRequestContext, options: ApiClientOptions): ApiClient {
  const now = options.now ?? (() => performance.now());

  async function send(url: string, fetchOptions: FetchOptions): Promise<APIResponse> {
    const method = (fetchOptions.method ?? 'GET').toUpperCase();
    return sendWithRenewal(
      options.auth,
      fetchOptions.headers,
      (header) => sendOnce(url, method, fetchOptions, header),
      {
        isUnauthorized: (response) => response.status() === 401,
      },
    );
  }

  async function sendOnce(
    url: string,
    method: string,
    { conformance, ...fetchOptions }: FetchOptions,
    header?: AuthHeader,
  ) {
    const headers = { ...fetchOptions.headers, ...(header ? { [header.name]: header.value } : {}) };
    const start = {
      identity: options.identity ?? 'anonymous',
      method,
      path: pathOf(url, fetchOptions.params),
      conformance,
    };
    let response: APIResponse | undefined;
    const exchange = await options.report(start, async () => {
      const startedAt = new Date();
      const started = now();
      let error: Error | undefined;
      try {
        response = await context.fetch(url, { ...fetchOptions, method, headers });
      } catch (caught) {
        error = caught instanceof Error ? caught : new Error(String(caught));
      }
      const latencyMs = now() - started;
      return {
        ...start,
        path: response ? pathOf(response.url()) : start.path,
        startedAt,
        latencyMs,
        timing: response ? timingOf(response) : undefined,
        request: { headers, body: describeRequestBody(fetchOptions) },
        response: response && {
          status: response.status(),
          headers: response.headers(),
          body: await bodyText(response),
        },
        error,
      };
    });
    if (exchange.error) throw exchange.error;
    return response!;
  }

  const withMethod =
    (method: string) =>
    (url: string, requestOptions: RequestOptions = {}) =>
      send(url, { ...requestOptions, method });

  return {
    fetch: (url, fetchOptions = {}) => send(url, fetchOptions),
    get: withMethod('GET'),
    post: withMethod('POST'),
    put: withMethod('PUT'),
    patch: withMethod('PATCH'),
    delete: withMethod('DELETE'),
    head: withMethod('HEAD'),
  };
}

/** The title of a report step for an exchange: `POST /reports → 202 (38 ms)`. */
export function exchangeTitle(exchange: Exchange): string {
  const outcome = exchange.response ? String(exchange.response.status) : 'no response';
  return `${exchange.method} ${exchange.path} → ${outcome} (${Math.round(exchange.latencyMs)} ms)`;
}

/** The phases of `APIResponse.timing()` that Playwright measured, in ms from the start of the request. */
export type ResponseTiming = Partial<Record<'connectEnd' | 'requestStart' | 'responseStart' | 'responseEnd', number>>;

function timingOf(response: APIResponse): ResponseTiming | undefined {
  const timing = response.timing();
  const phases = (['connectEnd', 'requestStart', 'responseStart', 'responseEnd'] as const).flatMap((phase) =>
    timing[phase] >= 0 ? [[phase, Math.round(timing[phase] * 10) / 10] as const] : [],
  );
  return phases.length > 0 ? Object.fromEntries(phases) : undefined;
}

function pathOf(url: string, params?: FetchOptions['params']): string {
  const parsed = new URL(url, 'http://base.invalid');
  if (params && typeof params === 'object' && !(params instanceof URLSearchParams)) {
    for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, String(value));
  }
  return `${parsed.pathname}${parsed.search}`;
}

function describeRequestBody(options: FetchOptions): string | undefined {
  if (options.data !== undefined) {
    if (typeof options.data === 'string') return options.data;
    if (Buffer.isBuffer(options.data)) return `<${options.data.length} bytes of binary data>`;
    return JSON.stringify(options.data);
  }
  if (options.form !== undefined) return `<form: ${Object.keys(options.form).join(', ')}>`;
  if (options.multipart !== undefined) return `<multipart: ${Object.keys(options.multipart).join(', ')}>`;
  return undefined;
}

async function bodyText(response: APIResponse): Promise<string> {
  const type = response.headers()['content-type'] ?? '';
  const body = await response.body();
  if (body.length === 0) return '';
  if (/json|text|xml|javascript|x-www-form-urlencoded/.test(type)) return body.toString('utf8');
  return `<${body.length} bytes of ${type || 'unknown content type'}>`;
}
