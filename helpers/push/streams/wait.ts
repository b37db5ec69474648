import type { z } from 'zod';
import type { AuthSource, ExchangeReporter } from '../../http/client';
import { WaitError, WaitFailure } from '../../wait/errors';
import { count, seconds } from '../../wait/format';
import { type Observer, runWait } from '../../wait/kernel';
import { type WaitBasics, type WaitServices, waitContext } from '../../wait/options';
import type { FatalCategory } from '../../wait/outcomes';
import { type WaitRecordFields, bracketOf, recordFields } from '../../wait/record';
import { type ReportStep, reportWait, waitTitle } from '../../wait/report';
import type { Connection, StreamClose, StreamEvent } from './events';
import { STREAM_NAME, type StreamChannel, closeWords, openStream } from './opening';

export type StreamWaitOutcome =
  'ready' | 'timeout' | 'silent' | FatalCategory | 'classifier-error' | 'connection-failed' | 'connection-dropped';

export type StreamWaitOptions<M> = WaitBasics<Exclude<StreamWaitOutcome, 'ready'>> &
  WaitServices & {
    channel: StreamChannel;
    /** The http(s) URL of the stream; a WebSocket is opened on its ws(s) twin. */
    url: string | URL;
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
    /** Server-sent events only: after a drop, open the stream again with `Last-Event-ID` (the id of the
     *  last event received), at most this many times, each a step of its own. 0 by default: a drop fails the wait. */
    resumeAfterDrop?: number;
    /** The credential; a 401 to the opening request renews it once, as the API clients do. */
    auth?: AuthSource | undefined;
    /** More headers for the opening request (a header of the same name as the credential's replaces it). */
    headers?: Record<string, string>;
    /** Reports each opening request as the API clients report a call (a step, and a count in the API
     *  summary), its latency being the time until the channel opened or was refused. */
    report?: ExchangeReporter;
    /** Who opens the channel, for the reported exchanges: a role, `anonymous`… */
    identity?: string;
  };

export type MessageRecord = {
  number: number;
  /** Milliseconds from the start of the wait to the receipt of the message. */
  receivedAtMs: number;
  /** The id of a server-sent event; undefined for a WebSocket message. */
  id: string | undefined;
  observed: string;
  verdict: 'ready' | 'not-ready' | 'fatal';
};

/** A drop the wait resumed after: when, and the Last-Event-ID it resumed from. */
export type StreamResume = { atMs: number; lastEventId: string | undefined; close: StreamClose };

/** A wait on a stream, in the shape of a polling wait's record (attempts are the messages received). */
export type StreamWaitRecord = WaitRecordFields<StreamWaitOutcome> & {
  channel: StreamChannel;
  /** The URL the channel was opened on, redacted. */
  url: string;
  /** The answer to the opening request: 200 for an event stream, 101 for a WebSocket, or the refusal. */
  httpStatus: number | undefined;
  /** Receipt of the terminal message minus the completion time it reports: how late the push came.
   *  Server and client clocks both count: on different machines, their skew is in it. */
  receivedAfterCompletionMs: number | undefined;
  close: StreamClose | undefined;
  /** The drops resumed after (resumeAfterDrop); none by default. */
  resumes: StreamResume[];
  timeline: MessageRecord[];
};

/** The terminal message, every message in the order received (the terminal one last), and the record. */
export type StreamWaitResult<M> = { message: M; messages: M[]; record: StreamWaitRecord };

export class StreamWaitError extends WaitError<StreamWaitRecord> {
  override name = 'StreamWaitError';
}

type Received = Extract<StreamEvent, { kind: 'message' }>;

/**
 * Opens an event stream or a WebSocket and follows its messages until the terminal one, each checked
 * against the schema. A failure message, a message that breaks the contract, a refused or dropped
 * connection, a silence past `silenceMs` and the end of the SLA fail the wait at once, each named for
 * what it is. The channel is closed however the wait ends.
 */
export async function waitForStreamEvent<M>(options: StreamWaitOptions<M>): Promise<StreamWaitResult<M>> {
  const context = waitContext(options, waitForStreamEvent);
  const { clean, reporter } = context;
  const operation = `${options.operation} (${options.channel})`;
  const url = streamUrl(options.url, options.channel);
  const shownUrl = clean(url.href);
  const channelName = `${STREAM_NAME[options.channel]} ${options.channel === 'sse' ? 'from' : 'to'} ${shownUrl}`;
  const describe = options.describe ?? defaultDescription;
  const resumable = options.channel === 'sse' ? (options.resumeAfterDrop ?? 0) : 0;
  const messages: M[] = [];
  const resumes: StreamResume[] = [];
  let connection: Connection | undefined;
  let httpStatus: number | undefined;
  let close: StreamClose | undefined;
  let terminal: { receivedAt: number; completedAt: string | null | undefined } | undefined;
  let lastEventId: string | undefined;
  let heard = 0;
  let lastObserved: string | undefined;
  // Opens the stream again after a drop, once it has opened (see resumeAfterDrop).
  let reopen: ((ended: StreamClose) => Promise<void>) | undefined;

  const dropped = (ended: StreamClose) => {
    const how =
      options.channel === 'websocket'
        ? `closed with code ${ended.code ?? 'none'}${ended.reason ? ` (${ended.reason})` : ''}`
        : `ended${ended.error ? ` (${ended.error})` : ''}`;
    const last = lastObserved;
    return new WaitFailure(
      'connection-dropped',
      `was cut off: the ${channelName} ${clean(how)} before a terminal event, after ${count(heard, 'message')}${last ? ` (last: ${last})` : ''}`,
    );
  };
  const observer: Observer<Received> = {
    noun: 'message',
    stepping: 'check-in-step',
    pushed: true,
    start: async ({ deadline }) => {
      const withinDeadline = async <T>(work: Promise<T>): Promise<T> => {
        const first = await Promise.race([work, deadline.reached]);
        if (first === 'deadline') throw new WaitFailure('timeout', '');
        return first;
      };
      const open = (headers: Record<string, string> | undefined, note?: string) =>
        openStream(
          {
            channel: options.channel,
            url,
            auth: options.auth,
            headers,
            report: options.report,
            identity: options.identity,
            withinDeadline,
            onStatus: (status) => (httpStatus = status),
            dropped,
            ...(note ? { note } : {}),
          },
          context,
        );
      connection = await open(options.headers);
      reopen = async (ended) => {
        const atMs = Math.round(deadline.elapsedMs());
        resumes.push({ atMs, lastEventId, close: ended });
        const resumeHeaders = { ...options.headers, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) };
        const note = ` again after a drop ${seconds(atMs, 1)} into the wait${lastEventId ? `, Last-Event-ID ${lastEventId}` : ''}`;
        connection = await open(resumeHeaders, note);
      };
    },
    observe: async () => {
      for (;;) {
        const event = await connection!.next();
        if (event.kind === 'ended') {
          if (resumes.length >= resumable || !reopen) throw dropped(event.close);
          await reporter.step(clean(`Dropped: the ${channelName} ${closeWords(event.close)}`), async () => undefined);
          await reopen(event.close);
          continue;
        }
        if (event.kind !== 'message') continue;
        heard += 1;
        if (event.id !== undefined) lastEventId = event.id;
        return { value: event, at: event.receivedAt };
      }
    },
    close: async () => {
      if (!connection) return;
      const current = connection;
      close = await reporter.step('Close', async (step) => {
        const ended = await current.close();
        await step.rename(clean(`Close: ${closeWords(ended)}`));
        return ended;
      });
    },
  };
  const { values, record } = await runWait({
    basics: { ...options, operation },
    context,
    title: waitTitle(operation, options.subject, options.slaMs, {
      notes: [
        ...(options.silenceMs === undefined ? [] : [`silence limit ${seconds(options.silenceMs, 1)}`]),
        ...(resumable > 0 ? [`resuming after up to ${count(resumable, 'drop')}`] : []),
      ],
      expectedOutcome: options.expectedOutcome,
    }),
    observer,
    entry: async ({ value: event }, number, step, deadline): Promise<MessageRecord> => {
      const decoded = decode(event);
      await step.attachJson(`message ${number}`, decoded.json ? context.cleanJson(decoded.value) : clean(event.raw));
      return {
        number,
        receivedAtMs: event.receivedAt - deadline.startedAt,
        id: event.id,
        observed: 'breaks the contract',
        verdict: 'fatal',
      };
    },
    contract: { schema: options.schema, bodyOf: decode },
    classify: (message, { value: event }) => {
      const observed = describe(message);
      messages.push(message);
      if (options.isFailure?.(message))
        return { kind: 'fatal', category: 'terminal-failure', observed, evidence: observed };
      if (!options.isTerminal(message)) return { kind: 'not-ready', observed };
      terminal = { receivedAt: event.receivedAt, completedAt: options.completedAt?.(message) };
      return { kind: 'ready', value: message, observed };
    },
    noted: (entry, mark) => {
      entry.observed = mark.observed;
      entry.verdict = mark.verdict === 'error' ? 'fatal' : mark.verdict;
      lastObserved = mark.observed;
    },
    finish: ({ outcome, deadline, endedAt, marks, timeline, silence }): StreamWaitRecord => {
      const completedAt = terminal?.completedAt ? Date.parse(terminal.completedAt) : NaN;
      return {
        ...recordFields({
          operation: clean(operation),
          subject: clean(options.subject),
          slaMs: options.slaMs,
          startedAt: deadline.startedAt,
          endedAt,
          outcome: outcome as StreamWaitOutcome,
          expectedOutcome: options.expectedOutcome,
          attempts: marks.length,
          // A push is sent when the operation completes: no bracket to split, unlike a poll's.
          bracket: bracketOf(marks),
          estimate: 'first-ready',
          ...(silence ? { silence } : {}),
        }),
        channel: options.channel,
        url: shownUrl,
        httpStatus,
        receivedAfterCompletionMs:
          outcome === 'ready' && Number.isFinite(completedAt) ? terminal!.receivedAt - completedAt : undefined,
        close,
        resumes,
        timeline,
      };
    },
    explain: (failure, finished) =>
      `${operation} of ${options.subject} ${failure.outcome === 'timeout' ? timeoutDetail(finished, channelName) : failure.detail}`,
    report,
    error: (message, finished) => new StreamWaitError(message, finished),
  });
  return { message: values[0]!, messages, record };
}

function decode(event: Received): { json: true; value: unknown } | { json: false; raw: string } {
  try {
    return { json: true, value: event.decode() };
  } catch {
    return { json: false, raw: event.raw };
  }
}

function streamUrl(url: string | URL, channel: StreamChannel): URL {
  const result = new URL(url);
  if (channel === 'websocket') result.protocol = result.protocol === 'https:' ? 'wss:' : 'ws:';
  return result;
}

function timeoutDetail(record: StreamWaitRecord, channelName: string): string {
  const last = record.timeline.at(-1);
  const lastSeen = last ? `last ${last.observed} after ${count(record.attempts, 'message')}` : 'no message';
  const state = record.httpStatus === undefined ? `the ${channelName} never opened` : `the ${channelName} still open`;
  return `not ready within the ${seconds(record.slaMs)} SLA: ${lastSeen} in ${seconds(record.elapsedMs, 1)}, ${state}`;
}

async function report(step: ReportStep, record: StreamWaitRecord): Promise<void> {
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
