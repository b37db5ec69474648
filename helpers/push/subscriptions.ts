import { EventSource, type FetchLike } from 'eventsource';
import WebSocket from 'ws';
import { z } from 'zod';
import type { AuthHeader, AuthSource, Exchange, ExchangeReporter } from '../http/client';
import {
  type ReadinessReporter,
  type ReportStep,
  captureCallSite,
  WaitError,
  WaitFailure,
  reportWait,
  seconds,
} from '../readiness/wait';
import type { PushWaitRecordFields } from './record';
import type { Redactor } from '../secrets/redactor';

// ---------------------------------------------------------------------------------------------
// What a caller provides

/** Server-sent events (`text/event-stream`) or a WebSocket. */
export type Channel = 'sse' | 'websocket';

/** A server-sent event as the schema of an event stream sees it: its name, its id and its data, parsed as JSON. */
export type ServerSentEvent = { event: string; id: string | undefined; data: unknown };

export type SubscriptionOutcome =
  | 'ready'
  | 'timeout'
  | 'terminal-failure'
  | 'unexpected-status'
  | 'contract-violation'
  | 'classifier-error'
  | 'connection-failed'
  | 'connection-dropped';

export type SubscriptionOptions<M> = {
  channel: Channel;
  /** The http(s) URL of the stream; a WebSocket is opened on its ws(s) twin. */
  url: string | URL;
  /** What is awaited ("image generation"); the record names it by channel: "image generation (sse)". */
  operation: string;
  /** Which instance of it ("task tsk_42"). */
  subject: string;
  /** The business SLA of the operation: the wait never runs past it. */
  slaMs: number;
  /** Every message must match it: a server-sent event as a ServerSentEvent, a WebSocket message as its JSON. */
  schema: z.ZodType<M>;
  /** True for the message that ends the wait (the completed event; a failure event too). */
  isTerminal: (message: M) => boolean;
  /** True for a message that reports the operation failed: the wait fails at once, with it. */
  isFailure?: (message: M) => boolean;
  /** A short description for reports: "progress 40 %", "failed: GPU_OOM: out of memory". */
  describe?: (message: M) => string;
  /** When the terminal message says the operation completed, as the server's timestamp: gives the
   *  record's receivedAfterCompletionMs. */
  completedAt?: (message: M) => string | null | undefined;
  /** The credential; a 401 to the opening request renews it once, as the API clients do. */
  auth?: AuthSource | undefined;
  /** More headers for the opening request (a header of the same name as the credential's replaces it). */
  headers?: Record<string, string>;
  /** Reports each opening request as the API clients report a call (a step, and a count in the API
   *  summary), its latency being the time until the channel opened or was refused. */
  report?: ExchangeReporter;
  /** Who opens the channel, for the reported exchanges: a role, `anonymous`… */
  identity?: string;
  /** For tests that provoke a failure on purpose: the outcome they expect (see waitUntilReady). */
  expectedOutcome?: Exclude<SubscriptionOutcome, 'ready'>;
  reporter?: ReadinessReporter;
  /** When given, every text the wait writes into its error, its record, its steps and attachments passes it. */
  redactor?: Redactor;
  /** Where a failure is reported to come from; by default the caller of waitForStreamEvent. */
  callSite?: Error;
};

// ---------------------------------------------------------------------------------------------
// What the helper records and returns

export type MessageRecord = {
  number: number;
  /** Milliseconds from the start of the wait to the receipt of the message. */
  receivedAtMs: number;
  /** The id of a server-sent event; undefined for a WebSocket message. */
  id: string | undefined;
  observed: string;
  verdict: 'ready' | 'not-ready' | 'fatal';
};

/** How a channel ended: closed by the client (after the terminal message, or on failure) or by the server. */
export type ChannelClose = { by: 'client' | 'server'; code?: number; reason?: string; error?: string };

/** A wait on a stream, in the shape of a polling wait's record (attempts are the messages received). */
export type SubscriptionRecord = PushWaitRecordFields & {
  outcome: SubscriptionOutcome;
  channel: Channel;
  /** The URL the channel was opened on, redacted. */
  url: string;
  /** The answer to the opening request: 200 for an event stream, 101 for a WebSocket, or the refusal. */
  httpStatus: number | undefined;
  /** Receipt of the terminal message minus the completion time it reports: how late the push came.
   *  Server and client clocks both count: on different machines, their skew is in it. */
  receivedAfterCompletionMs: number | undefined;
  close: ChannelClose | undefined;
  timeline: MessageRecord[];
};

/** The terminal message, every message in the order received (the terminal one last), and the record. */
export type SubscriptionResult<M> = { message: M; messages: M[]; record: SubscriptionRecord };

export class SubscriptionError extends WaitError<SubscriptionRecord> {
  override name = 'SubscriptionError';
}

/** Ends a wait from inside a step; turned into a SubscriptionError once the channel is closed. */
class StreamFailure extends WaitFailure<Exclude<SubscriptionOutcome, 'ready'>> {}

const MESSAGE_PREFIX: Record<Exclude<SubscriptionOutcome, 'ready'>, string> = {
  timeout: 'Readiness timeout',
  'terminal-failure': 'Terminal failure reported by the API',
  'unexpected-status': 'Unexpected HTTP status',
  'contract-violation': 'Contract violation',
  'classifier-error': 'Classifier error',
  'connection-failed': 'Connection failed',
  'connection-dropped': 'Connection dropped',
};

const CHANNEL_NAME: Record<Channel, string> = { sse: 'event stream', websocket: 'WebSocket connection' };

/**
 * Opens an event stream or a WebSocket and follows its messages until the terminal one, each checked
 * against the schema. A failure message, a message that breaks the contract, a refused or dropped
 * connection and the end of the SLA fail the wait at once, each named for what it is. The channel is
 * closed however the wait ends.
 */
export async function waitForStreamEvent<M>(options: SubscriptionOptions<M>): Promise<SubscriptionResult<M>> {
  const callSite = options.callSite ?? captureCallSite(waitForStreamEvent);
  const reporter = options.reporter ?? silentReporter;
  const clean = (text: string) => (options.redactor ? options.redactor.text(text) : text);
  const cleanJson = (value: unknown) => (options.redactor ? options.redactor.json(value) : value);
  const operation = `${options.operation} (${options.channel})`;
  const url = channelUrl(options.url, options.channel);
  const shownUrl = clean(url.href);
  const channelName = `${CHANNEL_NAME[options.channel]} ${options.channel === 'sse' ? 'from' : 'to'} ${shownUrl}`;
  const describe = options.describe ?? defaultDescription;
  const provoking = options.expectedOutcome
    ? `, provoking ${MESSAGE_PREFIX[options.expectedOutcome].toLowerCase()}`
    : '';
  const title = `Wait for ${operation}: ${options.subject} (SLA ${seconds(options.slaMs)}${provoking})`;

  return reporter.step(clean(title), async (waitStep) => {
    const start = Date.now();
    const deadline = deadlineAfter(options.slaMs);
    const timeline: MessageRecord[] = [];
    const messages: M[] = [];
    let connection: Connection | undefined;
    let httpStatus: number | undefined;
    let close: ChannelClose | undefined;
    let terminal: { message: M; receivedAt: number; completedAt: string | null | undefined } | undefined;
    const into = () => `${seconds(Date.now() - start, 1)} into the wait`;
    const next = async (): Promise<ChannelEvent> => {
      const event = await Promise.race([connection!.next(), deadline.reached]);
      if (event === 'deadline') throw new StreamFailure('timeout', '');
      return event;
    };

    const openingRequest = {
      identity: options.identity ?? 'anonymous',
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      channel: options.channel,
    };
    const openOnce = (header: AuthHeader | undefined, renewed: boolean) =>
      reporter.step(
        `Open ${CHANNEL_NAME[options.channel]} ${shownUrl}${renewed ? ' (renewed credential)' : ''}`,
        async (step) => {
          const headers = { ...(header ? { [header.name]: header.value } : {}), ...options.headers };
          const openChannel = () => {
            connection = options.channel === 'sse' ? openEventStream(url, headers) : openWebSocket(url, headers);
            return next();
          };
          const opened = (word: string) =>
            step.rename(clean(`Open ${CHANNEL_NAME[options.channel]} ${shownUrl} → ${word}`));
          const opening = await (
            options.report ? reportOpening(options.report, openingRequest, headers, openChannel) : openChannel()
          ).catch(async (error: unknown) => {
            await opened('no answer within the SLA');
            throw error;
          });
          httpStatus = opening.kind === 'opened' || opening.kind === 'refused' ? opening.httpStatus : undefined;
          await opened(openingWord(opening));
          return opening;
        },
      );

    const open = async () => {
      const credential = await options.auth?.header();
      // A request that brings its own credential (a forged token, say) is sent as it is.
      const header = credential && !hasHeader(options.headers, credential.name) ? credential : undefined;
      let opening = await openOnce(header, false);
      // A session token that expired during a long run is renewed once; a static one is not sent again.
      if (opening.kind === 'refused' && opening.httpStatus === 401 && header && options.auth) {
        const renewed = await options.auth.renew(header);
        if (renewed) {
          await connection!.close();
          opening = await openOnce(renewed, true);
        }
      }
      if (opening.kind === 'refused') {
        throw new StreamFailure(opening.category, `was refused: ${clean(opening.detail)}`);
      }
      if (opening.kind === 'failed') {
        throw new StreamFailure('connection-failed', `could not connect to ${shownUrl}: ${clean(opening.error)}`);
      }
      if (opening.kind === 'ended') throw droppedFailure(opening.close);
    };

    const droppedFailure = (ended: ChannelClose) => {
      const how =
        options.channel === 'websocket'
          ? `closed with code ${ended.code ?? 'none'}${ended.reason ? ` (${ended.reason})` : ''}`
          : `ended${ended.error ? ` (${ended.error})` : ''}`;
      const last = timeline.at(-1);
      const lastSeen = last ? ` (last: ${last.observed})` : '';
      return new StreamFailure(
        'connection-dropped',
        `was cut off: the ${channelName} ${clean(how)} before a terminal event, after ${count(timeline.length, 'message')}${lastSeen}`,
      );
    };

    const follow = async (): Promise<void> => {
      for (;;) {
        const event = await next();
        if (event.kind === 'ended') throw droppedFailure(event.close);
        if (event.kind !== 'message') continue;
        const number = timeline.length + 1;
        const done = await reporter.step(`Message ${number}`, async (step) => {
          const entry: MessageRecord = {
            number,
            receivedAtMs: event.receivedAt - start,
            id: event.id,
            observed: 'breaks the contract',
            verdict: 'fatal',
          };
          timeline.push(entry);
          const where = `on message ${number}, ${into()}`;
          let body: unknown;
          try {
            body = event.decode();
          } catch {
            await step.rename(`Message ${number}: not JSON`);
            await step.attachJson(`message ${number}`, clean(event.raw));
            throw new StreamFailure('contract-violation', `${where}: it is not JSON.\n\nMessage:\n${clean(event.raw)}`);
          }
          await step.attachJson(`message ${number}`, cleanJson(body));
          const checked = options.schema.safeParse(body);
          if (!checked.success) {
            await step.rename(`Message ${number}: breaks the contract`);
            const shown = JSON.stringify(cleanJson(body), null, 2);
            throw new StreamFailure(
              'contract-violation',
              `${where}: it does not match the schema.\n${z.prettifyError(checked.error)}\n\nMessage:\n${shown}`,
            );
          }
          const message = checked.data;
          messages.push(message);
          let verdict: MessageRecord['verdict'];
          try {
            entry.observed = clean(describe(message));
            verdict = options.isFailure?.(message) ? 'fatal' : options.isTerminal(message) ? 'ready' : 'not-ready';
            if (verdict === 'ready') {
              terminal = { message, receivedAt: event.receivedAt, completedAt: options.completedAt?.(message) };
            }
          } catch (error) {
            entry.observed = 'classifier threw';
            throw new StreamFailure(
              'classifier-error',
              `could not classify message ${number}: ${clean(describeError(error))}`,
            );
          }
          entry.verdict = verdict;
          await step.rename(`Message ${number}: ${entry.observed} → ${VERDICT_WORD[verdict]}`);
          if (verdict === 'fatal') throw new StreamFailure('terminal-failure', `failed ${where}: ${entry.observed}`);
          return verdict === 'ready';
        });
        if (done) return;
      }
    };

    const closeChannel = async () => {
      if (!connection) return;
      const current = connection;
      close = await reporter.step('Close', async (step) => {
        const ended = await current.close();
        await step.rename(clean(`Close: ${closeWord(ended)}`));
        return ended;
      });
    };

    let failure: StreamFailure | undefined;
    try {
      await open();
      await follow();
      // Received ready, but after the SLA: the client was kept waiting too long all the same.
      if (terminal && terminal.receivedAt - start > options.slaMs) throw new StreamFailure('timeout', '');
    } catch (error) {
      if (!(error instanceof StreamFailure)) {
        deadline.clear();
        await closeChannel();
        throw error;
      }
      failure = error;
    }
    const endedAt = terminal?.receivedAt ?? Date.now();
    deadline.clear();
    await closeChannel();

    const outcome: SubscriptionOutcome = failure?.outcome ?? 'ready';
    const firstReady = timeline.find((entry) => entry.verdict === 'ready');
    const lastNotReady = timeline.findLast((entry) => entry.verdict === 'not-ready');
    const bracket = { lastNotReadyMs: lastNotReady?.receivedAtMs, firstReadyMs: firstReady?.receivedAtMs };
    const timeToReadyMs = outcome === 'ready' ? bracket.firstReadyMs : undefined;
    const completedAt = terminal?.completedAt ? Date.parse(terminal.completedAt) : NaN;
    const record: SubscriptionRecord = {
      operation: clean(operation),
      subject: clean(options.subject),
      slaMs: options.slaMs,
      startedAt: new Date(start).toISOString(),
      outcome,
      provoked: outcome !== 'ready' && outcome === options.expectedOutcome,
      attempts: timeline.length,
      elapsedMs: endedAt - start,
      observedTimeToReadyMs: timeToReadyMs,
      // A push is sent when the operation completes: no bracket to split, unlike a poll's.
      estimatedTimeToReadyMs: timeToReadyMs,
      timeToReadyMs,
      bracket,
      channel: options.channel,
      url: shownUrl,
      httpStatus,
      receivedAfterCompletionMs:
        outcome === 'ready' && Number.isFinite(completedAt) ? terminal!.receivedAt - completedAt : undefined,
      close,
      timeline,
    };
    await report(waitStep, record);
    if (!failure) return { message: terminal!.message, messages, record };

    const detail = failure.outcome === 'timeout' ? timeoutDetail(record, channelName) : failure.detail;
    const text = clean(`${MESSAGE_PREFIX[failure.outcome]}: ${operation} of ${options.subject} ${detail}`);
    throw atCallSite(new SubscriptionError(text, record), callSite);
  });
}

const VERDICT_WORD = { ready: 'ready', 'not-ready': 'not ready', fatal: 'fatal' } as const;

function channelUrl(url: string | URL, channel: Channel): URL {
  const result = new URL(url);
  if (channel === 'websocket') result.protocol = result.protocol === 'https:' ? 'wss:' : 'ws:';
  return result;
}

function hasHeader(headers: Record<string, string> | undefined, name: string | undefined): boolean {
  return !!name && Object.keys(headers ?? {}).some((key) => key.toLowerCase() === name.toLowerCase());
}

function openingWord(opening: ChannelEvent): string {
  switch (opening.kind) {
    case 'opened':
      return `HTTP ${opening.httpStatus}`;
    case 'refused':
      return `refused: ${opening.httpStatus === undefined ? opening.detail : `HTTP ${opening.httpStatus}`}`;
    case 'failed':
      return `failed: ${opening.error}`;
    default:
      return 'closed before it opened';
  }
}

function closeWord(close: ChannelClose): string {
  const code = close.code === undefined ? '' : ` with code ${close.code}${close.reason ? ` (${close.reason})` : ''}`;
  return `closed by the ${close.by}${code}${close.error ? `: ${close.error}` : ''}`;
}

function timeoutDetail(record: SubscriptionRecord, channelName: string): string {
  const last = record.timeline.at(-1);
  const lastSeen = last ? `last ${last.observed} after ${count(record.attempts, 'message')}` : 'no message';
  const state = record.httpStatus === undefined ? `the ${channelName} never opened` : `the ${channelName} still open`;
  return `not ready within the ${seconds(record.slaMs)} SLA: ${lastSeen} in ${seconds(record.elapsedMs, 1)}, ${state}`;
}

async function report(step: ReportStep, record: SubscriptionRecord): Promise<void> {
  await reportWait(step, record, {
    attempts: 'messages',
    times: { 'received after completion': record.receivedAfterCompletionMs },
  });
}

function defaultDescription(message: unknown): string {
  if (message !== null && typeof message === 'object') {
    for (const key of ['event', 'type', 'status']) {
      const value = (message as Record<string, unknown>)[key];
      if (typeof value === 'string') return value;
    }
  }
  return 'message';
}

function count(n: number, singular: string): string {
  return `${n} ${n === 1 ? singular : `${singular}s`}`;
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.split('\n', 1)[0] ?? message;
}

function atCallSite(error: Error, callSite: Error): Error {
  const frames = (callSite.stack ?? '').split('\n').slice(1);
  error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
  return error;
}

/** The SLA as a timer: the wait ends when it fires, whatever the channel is doing. */
function deadlineAfter(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), ms);
  });
  return { reached, clear: () => clearTimeout(timer) };
}

/**
 * The opening request as an exchange for `report`: the status that opened or refused the channel, or
 * no response and why (a connection that failed, no answer within the SLA). What the wait throws, it throws.
 */
async function reportOpening(
  report: ExchangeReporter,
  start: Pick<Exchange, 'identity' | 'method' | 'path' | 'channel'>,
  headers: Record<string, string>,
  openChannel: () => Promise<ChannelEvent>,
): Promise<ChannelEvent> {
  let opening: ChannelEvent | undefined;
  let thrown: Error | undefined;
  // The report's step shows why there was no answer; the wait goes on to fail in its own words.
  let unanswered: Error | undefined;
  const reported = report(start, async () => {
    // Timed from inside the report's step, as the API clients time their calls: the step spans it.
    const startedAt = new Date();
    const started = performance.now();
    try {
      opening = await openChannel();
    } catch (error) {
      thrown = error instanceof Error ? error : new Error(String(error));
    }
    const answered =
      opening?.kind === 'opened'
        ? { status: opening.httpStatus, headers: {}, body: '' }
        : opening?.kind === 'refused' && opening.httpStatus !== undefined
          ? { status: opening.httpStatus, headers: {}, body: opening.body }
          : undefined;
    if (!answered) {
      const why =
        opening?.kind === 'failed'
          ? opening.error
          : thrown instanceof StreamFailure
            ? 'no answer within the SLA'
            : thrown?.message;
      unanswered = new Error(why ?? 'no answer');
    }
    return {
      ...start,
      startedAt,
      latencyMs: performance.now() - started,
      request: { headers, body: undefined },
      response: answered,
      error: unanswered,
    };
  });
  await reported.catch((error: unknown) => {
    if (error !== unanswered) throw error;
  });
  if (thrown !== undefined) throw thrown;
  return opening!;
}

const silentStep: ReportStep = {
  rename: async () => undefined,
  parameter: async () => undefined,
  attachJson: async () => undefined,
};
const silentReporter: ReadinessReporter = { step: (_title, body) => body(silentStep) };

// ---------------------------------------------------------------------------------------------
// The channels: each turns its client's callbacks into one queue of events

type ChannelEvent =
  | { kind: 'opened'; httpStatus: number }
  | {
      kind: 'refused';
      httpStatus: number | undefined;
      category: 'unexpected-status' | 'contract-violation';
      detail: string;
      body: string;
    }
  | { kind: 'failed'; error: string }
  | { kind: 'message'; receivedAt: number; id: string | undefined; raw: string; decode: () => unknown }
  | { kind: 'ended'; close: ChannelClose };

type Connection = {
  next(): Promise<ChannelEvent>;
  /** Closes the channel unless the server did; resolves to how it ended. */
  close(): Promise<ChannelClose>;
};

function eventQueue() {
  const queued: ChannelEvent[] = [];
  let waiting: ((event: ChannelEvent) => void) | undefined;
  return {
    push(event: ChannelEvent) {
      const resolve = waiting;
      waiting = undefined;
      if (resolve) resolve(event);
      else queued.push(event);
    },
    next(): Promise<ChannelEvent> {
      const first = queued.shift();
      return first ? Promise.resolve(first) : new Promise((resolve) => (waiting = resolve));
    },
  };
}

// EventSource hands a named event (`event: progress`) only to listeners of that name; this sees
// every one, so that an event the contract does not know is reported, not lost.
class EveryEventSource extends EventSource {
  constructor(
    url: URL,
    init: { fetch: FetchLike },
    private readonly onMessage: (event: { type: string; id: string; data: string }) => void,
  ) {
    super(url, init);
  }

  override dispatchEvent(event: Event): boolean {
    if (event instanceof MessageEvent) {
      this.onMessage({ type: event.type, id: event.lastEventId, data: String(event.data) });
    }
    return super.dispatchEvent(event);
  }
}

function openEventStream(url: URL, headers: Record<string, string>): Connection {
  const events = eventQueue();
  let refusal: { status: number; contentType: string; body: string } | undefined;
  let opened = false;
  let ended: ChannelClose | undefined;

  const fetchWithHeaders: FetchLike = async (input, init) => {
    const response = await fetch(input, { ...init, headers: { ...init.headers, ...headers } });
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !contentType.startsWith('text/event-stream')) {
      refusal = { status: response.status, contentType, body: await response.clone().text() };
    }
    return response;
  };
  const source = new EveryEventSource(url, { fetch: fetchWithHeaders }, (event) =>
    events.push({
      kind: 'message',
      receivedAt: Date.now(),
      id: event.id || undefined,
      raw: `event: ${event.type}\n${event.id ? `id: ${event.id}\n` : ''}data: ${event.data}`,
      decode: (): ServerSentEvent => ({
        event: event.type,
        id: event.id || undefined,
        data: JSON.parse(event.data) as unknown,
      }),
    }),
  );
  source.addEventListener('open', () => {
    opened = true;
    events.push({ kind: 'opened', httpStatus: 200 });
  });
  source.addEventListener('error', (error) => {
    // EventSource reconnects on its own; a wait wants to know that the stream ended, not to resume it.
    source.close();
    if (refusal) {
      const wrongType = refusal.status === 200;
      events.push({
        kind: 'refused',
        httpStatus: refusal.status,
        category: wrongType ? 'contract-violation' : 'unexpected-status',
        body: refusal.body,
        detail: wrongType
          ? `GET ${url.href} answered ${refusal.contentType || 'no content type'}, not text/event-stream: ${refusal.body}`
          : `GET ${url.href} answered HTTP ${refusal.status} before any event: ${refusal.body}`,
      });
    } else if (!opened) {
      events.push({ kind: 'failed', error: error.message ?? 'no answer' });
    } else {
      ended = { by: 'server', ...(error.message ? { error: error.message } : {}) };
      events.push({ kind: 'ended', close: ended });
    }
  });

  return {
    next: () => events.next(),
    close: async () => {
      if (!ended) {
        source.close();
        ended = { by: 'client' };
      }
      return ended;
    },
  };
}

// How long a closing WebSocket may take to finish its closing handshake before it is cut.
const WEBSOCKET_CLOSE_GRACE_MS = 1_000;

function openWebSocket(url: URL, headers: Record<string, string>): Connection {
  const events = eventQueue();
  const socket = new WebSocket(url, { headers });
  let opened = false;
  let refused = false;
  let closingByClient = false;
  let lastError: string | undefined;
  let ended: ChannelClose | undefined;
  const closed = new Promise<ChannelClose>((resolve) => {
    socket.on('close', (code, reason) => {
      ended = {
        by: closingByClient ? 'client' : 'server',
        code,
        ...(reason.length > 0 ? { reason: reason.toString() } : {}),
        ...(lastError && !closingByClient ? { error: lastError } : {}),
      };
      resolve(ended);
      if (refused) return;
      if (opened) events.push({ kind: 'ended', close: ended });
      else events.push({ kind: 'failed', error: lastError ?? `closed with code ${code}` });
    });
  });

  socket.on('open', () => {
    opened = true;
    events.push({ kind: 'opened', httpStatus: 101 });
  });
  // An answer other than 101 is the server's refusal, with a body worth showing.
  socket.on('unexpected-response', (_request, response) => {
    refused = true;
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      events.push({
        kind: 'refused',
        httpStatus: response.statusCode,
        category: 'unexpected-status',
        body,
        detail: `GET ${url.href} answered HTTP ${response.statusCode} instead of upgrading: ${body}`,
      });
      socket.terminate();
    });
  });
  socket.on('error', (error) => (lastError = error.message));
  socket.on('message', (data, isBinary) => {
    const raw = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString(
      'utf8',
    );
    events.push({
      kind: 'message',
      receivedAt: Date.now(),
      id: undefined,
      raw: isBinary ? `(binary) ${raw}` : raw,
      decode: () => {
        if (isBinary) throw new SyntaxError('a binary message');
        return JSON.parse(raw) as unknown;
      },
    });
  });

  return {
    next: () => events.next(),
    close: async () => {
      if (ended) return ended;
      // The server started the closing handshake: the close is its own.
      closingByClient = socket.readyState !== WebSocket.CLOSING;
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000);
      const cut = setTimeout(() => socket.terminate(), WEBSOCKET_CLOSE_GRACE_MS);
      const result = await closed;
      clearTimeout(cut);
      return result;
    },
  };
}
