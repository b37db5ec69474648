import WebSocket from 'ws';
import type { AuthHeader, AuthSource, ExchangeReporter } from '../http/client';
import { sendWithRenewal } from '../http/renewal';
import { type Clock, type WaitReporter, silentReporter, systemClock } from '../wait';
import { closeWords } from './streams/opening';
import type { Redactor } from '../secrets/redactor';

// ---------------------------------------------------------------------------------------------
// What a caller provides

/** Where the credential goes: the header of the opening request, or a query parameter of its URL. */
export type TokenPlacement = 'header' | { query: string };

/** A message sent on a timer so that proxies and servers do not take a quiet channel for a dead one. */
export type KeepAlive = {
  everyMs: number;
  /** A JSON message to send (`{ type: 'ping' }`); without one, a WebSocket ping frame is sent. */
  message?: unknown;
};

export type OpenChannelOptions = {
  /** The channel's http(s) or ws(s) URL. */
  url: string | URL;
  /** The credential; a 401 to the opening request renews it once, as the API clients do. */
  auth?: AuthSource | undefined;
  token?: TokenPlacement;
  /** The WebSocket subprotocols offered (`graphql-transport-ws`); the server picks one. */
  protocols?: readonly string[];
  /** More headers for the opening request. */
  headers?: Record<string, string>;
  keepAlive?: KeepAlive;
  /** How long the opening handshake may take before the opening fails; 10 s by default. */
  openTimeoutMs?: number;
  /** Answers a received JSON message with the message it returns (a pong to an application ping), or nothing. */
  answer?: (message: unknown) => unknown;
  /** Reports the opening request as the API clients report a call. */
  report?: ExchangeReporter;
  /** Who opens the channel, for the reported exchange: a role, `anonymous`… */
  identity?: string;
  reporter?: WaitReporter;
  /** Every text the channel reports (frames, URL, errors) passes it. */
  redactor?: Redactor;
  /** The clock of the frames' times; the system's by default. */
  clock?: Clock;
};

// ---------------------------------------------------------------------------------------------
// What the channel records

export type FrameKind = 'text' | 'binary' | 'ping' | 'pong';

/** One frame sent or received, redacted, with its time. */
export type ChannelFrame = {
  number: number;
  direction: 'sent' | 'received';
  kind: FrameKind;
  /** When, and milliseconds from the opening of the channel. */
  at: string;
  atMs: number;
  /** The text of a text frame; `<n bytes, base64 …>` for the others. */
  data: string;
};

/** How a channel ended: closed by the client (the test, the end of the test) or by the server (or the network). */
export type ChannelClose = { by: 'client' | 'server'; code: number; reason?: string; error?: string };

/** What a listener hears: each message received (text or binary), and the end of the channel. */
export type ChannelEvent =
  | { kind: 'message'; frame: ChannelFrame; receivedAt: number; text: string; bytes: Uint8Array; binary: boolean }
  | { kind: 'ended'; close: ChannelClose; at: number };

export type DuplexChannel = {
  /** The URL it was opened on, redacted. */
  readonly url: string;
  /** The subprotocol the server chose, '' when none. */
  readonly protocol: string;
  /** When it opened, in milliseconds since the epoch. */
  readonly openedAt: number;
  send(text: string): Promise<void>;
  sendJson(value: unknown): Promise<void>;
  sendBinary(data: Uint8Array): Promise<void>;
  ping(): Promise<void>;
  /** Every frame so far, in order. */
  frames(): readonly ChannelFrame[];
  /** The messages received so far, in order: what a wait scans from its starting point. */
  received(): readonly Extract<ChannelEvent, { kind: 'message' }>[];
  /** Calls `listener` with each later event; returns what stops it. */
  listen(listener: (event: ChannelEvent) => void): () => void;
  /** How it ended, once it has. */
  ended(): ChannelClose | undefined;
  /** Closes it unless it has ended; resolves to how it ended. */
  close(code?: number, reason?: string): Promise<ChannelClose>;
  /** The milliseconds since the epoch of `now`, the channel's one clock. */
  now(): number;
};

/** The opening request was refused or failed: no channel, and why. */
export class ChannelOpenError extends Error {
  override name = 'ChannelOpenError';
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
  ) {
    super(message);
  }
}

const OPEN_TIMEOUT_MS = 10_000;
// How long a closing WebSocket may take to finish its closing handshake before it is cut.
const CLOSE_GRACE_MS = 1_000;
// How much of a frame a step's title shows; the attachment has all of it.
const TITLE_LENGTH = 80;

/**
 * Opens a WebSocket with a credential (a header, or a query parameter) and the subprotocols offered,
 * and keeps it open until `close`: sends and receives on it, records every frame with its time,
 * answers pings (the protocol's, and the application's through `answer`) and sends keepalives.
 */
export async function openChannel(options: OpenChannelOptions): Promise<DuplexChannel> {
  const clean = (text: string) => (options.redactor ? options.redactor.text(text) : text);
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  // A session token that expired during a long run is renewed once; a static one is not sent again.
  const attempt = await sendWithRenewal(
    options.auth,
    options.token === undefined || options.token === 'header' ? options.headers : undefined,
    (credential) => connect(options, credential, clean),
    { isUnauthorized: (answer) => answer.kind === 'refused' && answer.status === 401 },
  );
  if (attempt.kind !== 'opened') throw new ChannelOpenError(attempt.message, attempt.status);
  return liveChannel(attempt.socket, attempt.shownUrl, options, now, clean);
}

type Attempt =
  | { kind: 'opened'; socket: WebSocket; shownUrl: string }
  | { kind: 'refused'; status: number | undefined; message: string };

async function connect(
  options: OpenChannelOptions,
  credential: AuthHeader | undefined,
  clean: (text: string) => string,
): Promise<Attempt> {
  const url = channelUrl(options.url);
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token ?? 'header';
  if (credential && token === 'header') headers[credential.name] = credential.value;
  if (credential && token !== 'header') url.searchParams.set(token.query, tokenOf(credential));
  const shownUrl = clean(url.href);
  const reporter = options.reporter ?? silentReporter;

  return reporter.step(`Open WebSocket ${shownUrl}`, async (step) => {
    const path = `${url.pathname}${url.search}`;
    const identity = options.identity ?? 'anonymous';
    // The call's own step (options.report) spans the opening, so that its duration covers the call.
    const opening = async () => {
      const startedAt = new Date();
      const started = performance.now();
      const socket = new WebSocket(url, [...(options.protocols ?? [])], {
        headers,
        handshakeTimeout: options.openTimeoutMs ?? OPEN_TIMEOUT_MS,
      });
      const attempt = await new Promise<Attempt & { body?: string }>((resolve) => {
        socket.once('open', () => resolve({ kind: 'opened', socket, shownUrl }));
        socket.once('unexpected-response', (_request, response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            socket.terminate();
            resolve({
              kind: 'refused',
              status: response.statusCode,
              body,
              message: clean(`Could not open ${shownUrl}: HTTP ${response.statusCode} instead of upgrading: ${body}`),
            });
          });
        });
        // `on`, not `once`: a socket cut while refused may report another error after the first.
        socket.on('error', (error) =>
          resolve({
            kind: 'refused',
            status: undefined,
            message: clean(`Could not open ${shownUrl}: ${error.message}`),
          }),
        );
      });
      const status = attempt.kind === 'opened' ? 101 : attempt.status;
      const exchange = {
        identity,
        method: 'GET',
        path,
        channel: 'websocket' as const,
        startedAt,
        latencyMs: performance.now() - started,
        request: { headers, body: undefined },
        response: status === undefined ? undefined : { status, headers: {}, body: attempt.body ?? '' },
        error: status === undefined && attempt.kind === 'refused' ? new Error(attempt.message) : undefined,
      };
      return { attempt, status, exchange };
    };
    let opened: Awaited<ReturnType<typeof opening>> | undefined;
    if (options.report) {
      await options
        .report({ identity, method: 'GET', path }, async () => {
          opened = await opening();
          return opened.exchange;
        })
        .catch((error: unknown) => {
          if (error !== opened?.exchange.error) throw error;
        });
    }
    opened ??= await opening();
    const { attempt, status } = opened;
    await step.rename(clean(`Open WebSocket ${shownUrl} → ${status === undefined ? 'no answer' : `HTTP ${status}`}`));
    if (options.protocols?.length) await step.parameter('subprotocols', options.protocols.join(', '));
    return attempt;
  });
}

function liveChannel(
  socket: WebSocket,
  shownUrl: string,
  options: OpenChannelOptions,
  now: () => number,
  clean: (text: string) => string,
): DuplexChannel {
  const reporter = options.reporter ?? silentReporter;
  const openedAt = now();
  const frames: ChannelFrame[] = [];
  const received: Extract<ChannelEvent, { kind: 'message' }>[] = [];
  const listeners = new Set<(event: ChannelEvent) => void>();
  let ended: ChannelClose | undefined;
  let closingByClient = false;
  let lastError: string | undefined;

  const log = (direction: ChannelFrame['direction'], kind: FrameKind, data: string, at = now()) => {
    const frame: ChannelFrame = {
      number: frames.length + 1,
      direction,
      kind,
      at: new Date(at).toISOString(),
      atMs: at - openedAt,
      data: clean(data),
    };
    frames.push(frame);
    return frame;
  };
  const emit = (event: ChannelEvent) => {
    for (const listener of [...listeners]) listener(event);
  };

  const closed = new Promise<ChannelClose>((resolve) => {
    socket.on('close', (code, reason) => {
      clearInterval(keepAlive);
      ended = {
        by: closingByClient ? 'client' : 'server',
        code,
        ...(reason.length > 0 ? { reason: clean(reason.toString('utf8')) } : {}),
        ...(lastError && !closingByClient ? { error: clean(lastError) } : {}),
      };
      emit({ kind: 'ended', close: ended, at: now() });
      resolve(ended);
    });
  });
  socket.on('error', (error) => (lastError = error.message));
  socket.on('ping', (data) => log('received', 'ping', bytesOf(data)));
  socket.on('pong', (data) => log('received', 'pong', bytesOf(data)));
  socket.on('message', (data, isBinary) => {
    const at = now();
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const text = buffer.toString('utf8');
    const frame = log('received', isBinary ? 'binary' : 'text', isBinary ? bytesOf(buffer) : text, at);
    const event = { kind: 'message' as const, frame, receivedAt: at, text, bytes: buffer, binary: isBinary };
    received.push(event);
    emit(event);
    if (options.answer && !isBinary) answer(text);
  });

  const write = (kind: FrameKind, data: string | Buffer, shown: string) =>
    reporter.step(clean(`Send ${kind === 'text' ? '' : `${kind} `}${shorten(shown)}`), async (step) => {
      if (ended) throw new Error(clean(`Cannot send on ${shownUrl}: it was ${closeWords(ended)}`));
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => (error ? reject(error) : resolve());
        if (kind === 'ping') socket.ping(data, undefined, done);
        else socket.send(data, { binary: kind === 'binary' }, done);
      });
      const frame = log('sent', kind, shown);
      await step.attachJson(`frame ${frame.number} (sent)`, frame);
    });
  const answer = (text: string) => {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      return;
    }
    const reply = options.answer!(message);
    if (reply !== undefined && !ended) {
      const json = JSON.stringify(reply);
      socket.send(json, () => log('sent', 'text', json));
    }
  };

  const keepAlive =
    options.keepAlive &&
    setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      const message = options.keepAlive!.message;
      if (message === undefined) socket.ping(undefined, undefined, () => log('sent', 'ping', ''));
      else socket.send(JSON.stringify(message), () => log('sent', 'text', JSON.stringify(message)));
    }, options.keepAlive.everyMs);

  return {
    url: shownUrl,
    protocol: socket.protocol,
    openedAt,
    send: (text) => write('text', text, text),
    sendJson: (value) => {
      const text = JSON.stringify(value);
      return write('text', text, text);
    },
    sendBinary: (data) => {
      const buffer = Buffer.from(data);
      return write('binary', buffer, bytesOf(buffer));
    },
    ping: () => write('ping', Buffer.alloc(0), ''),
    frames: () => frames,
    received: () => received,
    listen: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ended: () => ended,
    close: async (code = 1000, reason) => {
      if (ended) return ended;
      return reporter.step(`Close WebSocket ${shownUrl}`, async (step) => {
        // The server started the closing handshake: the close is its own.
        closingByClient = socket.readyState !== WebSocket.CLOSING;
        socket.close(code, reason);
        const cut = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
        const result = await closed;
        clearTimeout(cut);
        await step.rename(clean(`Close WebSocket ${shownUrl}: ${closeWords(result)}`));
        return result;
      });
    },
    now,
  };
}

/** The channel's ws(s) URL, from an http(s) or ws(s) one. */
export function channelUrl(url: string | URL): URL {
  const result = new URL(url);
  if (result.protocol === 'https:') result.protocol = 'wss:';
  if (result.protocol === 'http:') result.protocol = 'ws:';
  return result;
}

/** The token of a credential header, without its scheme: `Bearer abc` → `abc`. */
function tokenOf(credential: AuthHeader): string {
  return credential.value.replace(/^\S+\s+/, '');
}

function bytesOf(data: Buffer): string {
  return data.length === 0 ? '' : `<${data.length} bytes, base64 ${data.toString('base64')}>`;
}

function shorten(text: string): string {
  return text.length > TITLE_LENGTH ? `${text.slice(0, TITLE_LENGTH - 1)}…` : text;
}
