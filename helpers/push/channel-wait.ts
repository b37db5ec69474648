import { z } from 'zod';
import {
  type ReadinessReporter,
  captureCallSite,
  WaitError,
  WaitFailure,
  reportWait,
  seconds,
} from '../readiness/wait';
import type { Redactor } from '../secrets/redactor';
import { type ChannelClose, type ChannelEvent, type DuplexChannel, closeWords } from './channel';
import type { PushWaitRecordFields } from './record';

// ---------------------------------------------------------------------------------------------
// What a caller provides

export type ChannelWaitOptions<M> = {
  /** What is awaited ("console start"); the record names it with its channel: "console start (websocket)". */
  operation: string;
  /** Which instance of it ("console con_42"). */
  subject: string;
  /** The business SLA of the operation: the wait never runs past it. */
  slaMs: number;
  /** How long the channel may say nothing before the wait fails as silent; no limit when unset. */
  silenceMs?: number | undefined;
  /** Every message the wait looks at must match it (text frames as JSON). */
  schema: z.ZodType<M>;
  /** The messages this wait is about (the replies to its request); the others are passed over. */
  about?: (message: M) => boolean;
  /** True for the message awaited: the wait returns it. */
  until: (message: M) => boolean;
  /** True for a message that reports a failure: the wait fails at once, with it. */
  failsOn?: (message: M) => boolean;
  /** A short description for reports: "status busy", "error: CONSOLE_STARTING". */
  describe?: (message: M) => string;
  /** The index of the first received message to look at; by default, the one after the message the
   *  channel's last wait ended on, so that a message that came before the wait began is not missed. */
  from?: number;
  /** For tests that provoke a failure on purpose: the outcome they expect. */
  expectedOutcome?: Exclude<ChannelWaitOutcome, 'ready'>;
  reporter?: ReadinessReporter;
  redactor?: Redactor;
  callSite?: Error;
};

export type ChannelWaitOutcome =
  | 'ready'
  | 'timeout'
  | 'silent'
  | 'connection-dropped'
  | 'terminal-failure'
  | 'contract-violation'
  | 'classifier-error';

// ---------------------------------------------------------------------------------------------
// What the wait records and returns

export type ChannelMessageRecord = {
  number: number;
  /** The number of its frame in the channel's frame log. */
  frame: number;
  /** Milliseconds from the start of the wait to its receipt (negative: received before the wait began). */
  receivedAtMs: number;
  observed: string;
  verdict: 'ready' | 'not-ready' | 'fatal';
};

export type ChannelWaitRecord = PushWaitRecordFields & {
  outcome: ChannelWaitOutcome;
  channel: 'websocket';
  url: string;
  silenceMs: number | undefined;
  /** Milliseconds from the last message received on the channel (or the start of the wait) to its end. */
  quietForMs: number;
  /** How the channel ended, when it ended during the wait. */
  close: ChannelClose | undefined;
  timeline: ChannelMessageRecord[];
};

export type ChannelWaitResult<M> = {
  message: M;
  /** The messages the wait was about, in order, the awaited one last. */
  messages: M[];
  record: ChannelWaitRecord;
};

export class ChannelError extends WaitError<ChannelWaitRecord> {
  override name = 'ChannelError';
}

class ChannelFailure extends WaitFailure<Exclude<ChannelWaitOutcome, 'ready'>> {}

const MESSAGE_PREFIX: Record<Exclude<ChannelWaitOutcome, 'ready'>, string> = {
  timeout: 'Readiness timeout',
  silent: 'Channel silent',
  'connection-dropped': 'Connection dropped',
  'terminal-failure': 'Terminal failure reported by the API',
  'contract-violation': 'Contract violation',
  'classifier-error': 'Classifier error',
};

const VERDICT_WORD = { ready: 'ready', 'not-ready': 'not ready', fatal: 'fatal' } as const;

// Where each channel's last wait ended: the default start of its next one.
const nextPosition = new WeakMap<DuplexChannel, number>();

/**
 * Waits on an open channel for the message `until` picks, without closing it: the messages already
 * received since the channel's last wait first, then each one as it comes. Each message is checked
 * against the schema; a failure message, a broken contract, the end of the SLA, a silence longer than
 * `silenceMs` and the end of the channel fail the wait at once, each named for what it is.
 */
export async function waitForChannelMessage<M>(
  channel: DuplexChannel,
  options: ChannelWaitOptions<M>,
): Promise<ChannelWaitResult<M>> {
  const callSite = options.callSite ?? captureCallSite(waitForChannelMessage);
  const reporter = options.reporter ?? silentReporter;
  const clean = (text: string) => (options.redactor ? options.redactor.text(text) : text);
  const cleanJson = (value: unknown) => (options.redactor ? options.redactor.json(value) : value);
  const operation = `${options.operation} (websocket)`;
  const describe = options.describe ?? defaultDescription;
  const limits = [`SLA ${seconds(options.slaMs)}`];
  if (options.silenceMs !== undefined) limits.push(`silence limit ${seconds(options.silenceMs, 1)}`);
  if (options.expectedOutcome) limits.push(`provoking ${MESSAGE_PREFIX[options.expectedOutcome].toLowerCase()}`);
  const title = `Wait for ${operation}: ${options.subject} (${limits.join(', ')})`;

  return reporter.step(clean(title), async (waitStep) => {
    const start = channel.now();
    const timeline: ChannelMessageRecord[] = [];
    const messages: M[] = [];
    let position = options.from ?? nextPosition.get(channel) ?? 0;
    let ready: { message: M; receivedAt: number } | undefined;
    let ended: ChannelClose | undefined;
    const into = () => `${seconds(channel.now() - start, 1)} into the wait`;
    const lastHeard = () => Math.max(start, channel.received().at(-1)?.receivedAt ?? start);

    // Events as they come, so that none is missed while a message is being checked.
    const queue: ChannelEvent[] = [];
    let wake: (() => void) | undefined;
    const stopListening = channel.listen((event) => {
      queue.push(event);
      wake?.();
    });
    const nextEvent = async (): Promise<ChannelEvent> => {
      const deadline = start + options.slaMs;
      for (;;) {
        // A channel that never stops talking still ends the wait at its SLA.
        if (channel.now() >= deadline) throw new ChannelFailure('timeout', '');
        const event = queue.shift();
        if (event) return event;
        const silenceEnds = options.silenceMs === undefined ? Infinity : lastHeard() + options.silenceMs;
        const wakeAt = Math.min(deadline, silenceEnds);
        if (channel.now() >= wakeAt) {
          throw wakeAt === silenceEnds && silenceEnds < deadline
            ? new ChannelFailure('silent', '')
            : new ChannelFailure('timeout', '');
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wakeAt - channel.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    };

    const look = async (event: Extract<ChannelEvent, { kind: 'message' }>): Promise<boolean> => {
      let body: unknown;
      try {
        body = event.binary ? event.text : (JSON.parse(event.text) as unknown);
      } catch {
        throw new ChannelFailure(
          'contract-violation',
          `on frame ${event.frame.number}, ${into()}: it is not JSON.\n\nMessage:\n${clean(event.text)}`,
        );
      }
      const checked = options.schema.safeParse(body);
      if (!checked.success) {
        const shown = JSON.stringify(cleanJson(body), null, 2);
        throw new ChannelFailure(
          'contract-violation',
          `on frame ${event.frame.number}, ${into()}: it does not match the schema.\n${z.prettifyError(checked.error)}\n\nMessage:\n${shown}`,
        );
      }
      const message = checked.data;
      let about: boolean;
      let verdict: ChannelMessageRecord['verdict'];
      let observed: string;
      try {
        about = options.about?.(message) ?? true;
        verdict = options.failsOn?.(message) ? 'fatal' : options.until(message) ? 'ready' : 'not-ready';
        observed = clean(describe(message));
      } catch (error) {
        throw new ChannelFailure(
          'classifier-error',
          `could not classify frame ${event.frame.number}: ${clean(describeError(error))}`,
        );
      }
      if (!about) return false;
      const number = timeline.length + 1;
      const entry = { number, frame: event.frame.number, receivedAtMs: event.receivedAt - start, observed, verdict };
      timeline.push(entry);
      messages.push(message);
      await reporter.step(`Message ${number}: ${observed} → ${VERDICT_WORD[verdict]}`, async (step) => {
        await step.attachJson(`message ${number}`, cleanJson(body));
      });
      if (verdict === 'fatal')
        throw new ChannelFailure('terminal-failure', `failed on message ${number}, ${into()}: ${observed}`);
      if (verdict === 'ready') ready = { message, receivedAt: event.receivedAt };
      return verdict === 'ready';
    };

    const follow = async () => {
      // What came before the wait began, then what comes.
      for (; position < channel.received().length; position += 1) {
        if (await look(channel.received()[position]!)) return;
      }
      if (channel.ended()) {
        ended = channel.ended();
        throw new ChannelFailure('connection-dropped', '');
      }
      for (;;) {
        const event = await nextEvent();
        if (event.kind === 'ended') {
          ended = event.close;
          throw new ChannelFailure('connection-dropped', '');
        }
        // Already looked at, when it came while the wait was reading what had come before.
        const index = channel.received().indexOf(event);
        if (index < position) continue;
        position = index;
        if (await look(event)) return;
      }
    };

    let failure: ChannelFailure | undefined;
    try {
      await follow();
      if (ready && ready.receivedAt - start > options.slaMs) throw new ChannelFailure('timeout', '');
    } catch (error) {
      if (!(error instanceof ChannelFailure)) throw error;
      failure = error;
    } finally {
      stopListening();
      wake?.();
    }
    nextPosition.set(channel, position + 1);

    const endedAt = ready?.receivedAt ?? channel.now();
    const outcome: ChannelWaitOutcome = failure?.outcome ?? 'ready';
    const firstReady = timeline.find((entry) => entry.verdict === 'ready');
    const lastNotReady = timeline.findLast((entry) => entry.verdict === 'not-ready');
    const bracket = { lastNotReadyMs: lastNotReady?.receivedAtMs, firstReadyMs: firstReady?.receivedAtMs };
    const timeToReadyMs = outcome === 'ready' ? Math.max(0, bracket.firstReadyMs ?? 0) : undefined;
    const record: ChannelWaitRecord = {
      operation: clean(operation),
      subject: clean(options.subject),
      slaMs: options.slaMs,
      startedAt: new Date(start).toISOString(),
      outcome,
      provoked: outcome !== 'ready' && outcome === options.expectedOutcome,
      attempts: timeline.length,
      elapsedMs: endedAt - start,
      observedTimeToReadyMs: timeToReadyMs,
      estimatedTimeToReadyMs: timeToReadyMs,
      timeToReadyMs,
      bracket,
      channel: 'websocket',
      url: channel.url,
      silenceMs: options.silenceMs,
      quietForMs: endedAt - lastHeard(),
      close: ended,
      timeline,
    };
    await reportWait(waitStep, record, { attempts: 'messages' });
    if (!failure) return { message: ready!.message, messages, record };

    const detail = failureDetail(failure, record, channel);
    const text = clean(`${MESSAGE_PREFIX[failure.outcome]}: ${operation} of ${options.subject} ${detail}`);
    throw atCallSite(new ChannelError(text, record), callSite);
  });
}

function failureDetail(failure: ChannelFailure, record: ChannelWaitRecord, channel: DuplexChannel): string {
  const heard = channel.received();
  const last = heard.at(-1);
  const received = count(heard.length, 'message');
  const soFar = `${received} on the channel so far`;
  const lastSeen = record.timeline.at(-1);
  const lastWords = lastSeen ? `, the last one awaited ${lastSeen.observed}` : '';
  const elapsed = seconds(record.elapsedMs, 1);
  switch (failure.outcome) {
    case 'silent':
      return (
        `heard nothing for ${seconds(record.quietForMs, 1)} (silence limit ${seconds(record.silenceMs!, 1)}), ` +
        `${elapsed} into the wait: ${soFar}${last ? `, the last ${seconds(channel.now() - last.receivedAt, 1)} ago` : ''}` +
        `${lastWords}; the WebSocket to ${channel.url} still open`
      );
    case 'connection-dropped':
      return (
        `lost its channel ${elapsed} into the wait: the WebSocket to ${channel.url} was ${closeWords(record.close!)}, ` +
        `after ${received}${lastWords}`
      );
    case 'timeout':
      return (
        `not ready within the ${seconds(record.slaMs)} SLA: ${lastSeen ? `last ${lastSeen.observed}` : 'no message awaited'} ` +
        `after ${count(record.attempts, 'message')} in ${elapsed}; ${soFar}, the WebSocket to ${channel.url} still open`
      );
    default:
      return failure.detail;
  }
}

function defaultDescription(message: unknown): string {
  if (message !== null && typeof message === 'object') {
    const fields = message as Record<string, unknown>;
    const words = ['type', 'event', 'status', 'state'].map((key) => fields[key]).filter((v) => typeof v === 'string');
    if (words.length > 0) return words.join(' ');
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

const silentReporter: ReadinessReporter = {
  step: (_title, body) =>
    body({ rename: async () => undefined, parameter: async () => undefined, attachJson: async () => undefined }),
};
