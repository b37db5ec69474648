import type { APIRequestContext, APIResponse } from '@playwright/test';

type FetchOptions = NonNullable<Parameters<APIRequestContext['fetch']>[1]>;
export type RequestOptions = Omit<FetchOptions, 'method'>;

/** One request and its response, as the client saw them. Headers and bodies are not redacted yet. */
export type Exchange = {
  /** Who sent it, as the client was labelled: a role, `anonymous`, `fresh user`… */
  identity: string;
  method: string;
  /** Path and query, relative to the base URL. */
  path: string;
  startedAt: Date;
  latencyMs: number;
  request: { headers: Record<string, string>; body: string | undefined };
  /** Undefined when no HTTP response came back (connection refused, timeout). */
  response: { status: number; headers: Record<string, string>; body: string } | undefined;
  error: Error | undefined;
};

/** Where exchanges go: a report step, a recording file, a test's own assertions. */
export type ExchangeRecorder = (exchange: Exchange) => Promise<void>;

/** Gives the Authorization header of a session and renews it when the API rejects it. */
export type AuthSource = {
  authorization(): Promise<string>;
  /** Called with the header the API answered 401 to; resolves to the header to retry with. */
  renew(rejected: string): Promise<string>;
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
  record: ExchangeRecorder;
  now?: () => number;
};

export function createApiClient(context: APIRequestContext, options: ApiClientOptions): ApiClient {
  const now = options.now ?? (() => performance.now());

  async function send(url: string, fetchOptions: FetchOptions): Promise<APIResponse> {
    const method = (fetchOptions.method ?? 'GET').toUpperCase();
    const ownAuthorization = hasHeader(fetchOptions.headers, 'authorization') ? undefined : options.auth;
    const authorization = await ownAuthorization?.authorization();
    const response = await sendOnce(url, method, fetchOptions, authorization);
    // A session token that expired during a long run is renewed once, never per test.
    if (response.status() !== 401 || !ownAuthorization || authorization === undefined) return response;
    return sendOnce(url, method, fetchOptions, await ownAuthorization.renew(authorization));
  }

  async function sendOnce(url: string, method: string, fetchOptions: FetchOptions, authorization?: string) {
    const headers = { ...fetchOptions.headers, ...(authorization === undefined ? {} : { authorization }) };
    const startedAt = new Date();
    const started = now();
    let response: APIResponse | undefined;
    let error: Error | undefined;
    try {
      response = await context.fetch(url, { ...fetchOptions, method, headers });
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
    }
    const latencyMs = now() - started;
    await options.record({
      identity: options.identity ?? 'anonymous',
      method,
      path: response ? pathOf(response.url()) : pathOf(url, fetchOptions.params),
      startedAt,
      latencyMs,
      request: { headers, body: describeRequestBody(fetchOptions) },
      response: response && {
        status: response.status(),
        headers: response.headers(),
        body: await bodyText(response),
      },
      error,
    });
    if (error) throw error;
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

/** The title of a report step for an exchange: `POST /api/v1/images/generations → 202 (38 ms)`. */
export function exchangeTitle(exchange: Exchange): string {
  const outcome = exchange.response ? String(exchange.response.status) : 'no response';
  return `${exchange.method} ${exchange.path} → ${outcome} (${Math.round(exchange.latencyMs)} ms)`;
}

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return Object.keys(headers ?? {}).some((key) => key.toLowerCase() === name);
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
