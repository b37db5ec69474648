import type { z } from 'zod';
import {
  type ObserveContext,
  type Observed,
  type Observer,
  type WaitBasics,
  WaitError,
  WaitFailure,
  type WaitRecordFields,
  type WaitServices,
  bracketOf,
  count,
  recordFields,
  reportWait,
  runWait,
  seconds,
  waitContext,
  waitTitle,
} from '../wait';
import { type ChannelClose, type ChannelEvent, type DuplexChannel } from './channel';
import { closeWords } from './streams/opening';

// ---------------------------------------------------------------------------------------------
// What a caller provides

export type ChannelWaitOutcome =
  | 'ready'
  | 'timeout'
  | 'silent'
  | 'connection-dropped'
  | 'terminal-failure'
  | 'contract-violation'
  | 'classifier-error';

export type ChannelWaitOptions<M> = WaitBasics<Exclude<ChannelWaitOutcome, 'ready'>> &
  WaitServices & {
    /** Every message the wait looks at must match it, as `decode` gives it. */
    schema: z.ZodType<M>;
    /** What the schema is given: 'json', a text frame's JSON (the default; any other frame breaks the
     *  contract); 'text', every frame's text; 'bytes', every frame's bytes as a Uint8Array. */
    decode?: 'json' | 'text' | 'bytes';
    /** The messages this wait is about (the replies to its request); the others are passed over. */
    about?: (message: M) => boolean;
    /** True for the message awaited: the wait returns it. */
    until: (message: M) => boolean;
    /** True for a message that reports a failure: the wait fails at once, with it. */
    failsOn?: (message: M) => boolean;
    /** A short description for reports: "status busy", "error CONSOLE_STARTING". */
    describe?: (message: M) => string;
    /** The index of the first received message to look at; by default, the one after the message the
     *  channel's last wait ended on, so that a message that came before the wait began is not missed. */
    from?: number;
    /** Sends what the wait awaits the answer to, once the wait has begun: the SLA and the time to ready
     *  then count from the request, and its step is inside the wait's. */
    send?: () => Promise<void>;
  };

// ---------------------------------------------------------------------------------------------
// What the wait records and returns

export type ChannelMessageRecord = {
  number: number;
  /** The number of its frame in the channel's frame log. */
  frame: number;
  /** Milliseconds from the start of the wait to its receipt (negative: received before the wait began). */
  receivedAtMs: number;
  observed: string;
  verdict: 'ready' | 'not-ready' | 'fatal' | 'error';
};

export type ChannelWaitRecord = WaitRecordFields<ChannelWaitOutcome> & {
  channel: 'websocket';
  /** The URL the channel was opened on, redacted. */
  url: string;
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

export class ChannelWaitError extends WaitError<ChannelWaitRecord> {
  override name = 'ChannelWaitError';
}

type Received = Extract<ChannelEvent, { kind: 'message' }>;

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
  const context = waitContext(options, waitForChannelMessage);
  const describe = options.describe ?? defaultDescription;
  const operation = `${options.operation} (websocket)`;
  const notes = options.silenceMs === undefined ? [] : [`silence limit ${seconds(options.silenceMs, 1)}`];
  const messages: M[] = [];
  let ended: ChannelClose | undefined;
  const observer = channelObserver(channel, options, (close) => (ended = close));

  const { values, record } = await runWait({
    basics: { ...options, operation },
    context,
    title: waitTitle(operation, options.subject, options.slaMs, { notes, expectedOutcome: options.expectedOutcome }),
    observer,
    entry: async ({ value, at }: Observed<Received>, number, step): Promise<ChannelMessageRecord> => {
      const json = decode(value, 'json');
      const shown = json.json ? context.cleanJson(json.value) : value.frame.data;
      await step.attachJson(`message ${number} (frame ${value.frame.number})`, shown);
      return {
        number,
        frame: value.frame.number,
        receivedAtMs: at - observer.startedAt,
        observed: '',
        verdict: 'error',
      };
    },
    contract: {
      schema: options.schema,
      bodyOf: (received: Received) => {
        const decoded = decode(received, options.decode);
        return decoded.json ? decoded : { json: false, raw: received.frame.data };
      },
    },
    classify: (message: M) => {
      const observed = describe(message);
      if (options.failsOn?.(message)) {
        return { kind: 'fatal', category: 'terminal-failure', observed, evidence: observed };
      }
      messages.push(message);
      return options.until(message) ? { kind: 'ready', value: message, observed } : { kind: 'not-ready', observed };
    },
    noted: (entry: ChannelMessageRecord, mark) => {
      entry.observed = mark.observed;
      entry.verdict = mark.verdict;
    },
    finish: ({ outcome, deadline, endedAt, marks, timeline, silence }): ChannelWaitRecord => ({
      ...recordFields({
        operation: context.clean(operation),
        subject: context.clean(options.subject),
        slaMs: options.slaMs,
        startedAt: deadline.startedAt,
        endedAt,
        outcome: outcome as ChannelWaitOutcome,
        expectedOutcome: options.expectedOutcome,
        attempts: marks.length,
        bracket: bracketOf(marks),
        estimate: 'first-ready',
        silence,
      }),
      channel: 'websocket',
      url: channel.url,
      close: ended,
      timeline,
    }),
    explain: (failure, record) => `${operation} of ${options.subject} ${explanation(failure, record, channel)}`,
    report: (step, record) => reportWait(step, record, { attempts: 'messages' }),
    error: (message, record) => new ChannelWaitError(message, record),
  });
  return { message: values[0]!, messages, record };
}

/** The channel as the kernel observes it: its messages from the wait's starting point on, one at a time. */
function channelObserver<M>(
  channel: DuplexChannel,
  options: ChannelWaitOptions<M>,
  onEnded: (close: ChannelClose) => void,
): Observer<Received> & { startedAt: number } {
  let position = options.from ?? nextPosition.get(channel) ?? 0;
  let wake: (() => void) | undefined;
  let stopListening: (() => void) | undefined;
  let closed = false;

  // A message the wait looks at: one about it, or one that breaks the contract (which fails the wait).
  const relevant = (received: Received) => {
    const decoded = decode(received, options.decode);
    if (!decoded.json) return true;
    const checked = options.schema.safeParse(decoded.value);
    return !checked.success || (options.about?.(checked.data) ?? true);
  };
  const nextRelevant = () => {
    const all = channel.received();
    while (position < all.length && !relevant(all[position]!)) position += 1;
    return all[position];
  };

  const observer = {
    noun: 'message',
    stepping: 'check-in-step' as const,
    pushed: true,
    startedAt: 0,
    start: async ({ deadline }: ObserveContext) => {
      observer.startedAt = deadline.startedAt;
      stopListening = channel.listen(() => wake?.());
      await options.send?.();
    },
    observe: async ({ deadline, marks }: ObserveContext): Promise<Observed<Received>> => {
      for (;;) {
        // The wait has ended (its deadline or its silence limit came first): this observation is not needed.
        if (closed) throw new WaitFailure('timeout', '');
        const received = nextRelevant();
        if (received) {
          position += 1;
          return { value: received, at: received.receivedAt };
        }
        const close = channel.ended();
        if (close) {
          onEnded(close);
          const last = marks.at(-1);
          throw new WaitFailure(
            'connection-dropped',
            `lost its channel ${seconds(deadline.elapsedMs(), 1)} into the wait: the WebSocket to ${channel.url} was ` +
              `${closeWords(close)}, after ${count(marks.length, 'message')}${last ? `; last: ${last.observed}` : ''}`,
          );
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    lastHeardAt: () => Math.max(observer.startedAt, channel.received().at(-1)?.receivedAt ?? 0),
    close: async () => {
      closed = true;
      stopListening?.();
      wake?.();
      nextPosition.set(channel, position);
    },
  };
  return observer;
}

function explanation(failure: WaitFailure<string>, record: ChannelWaitRecord, channel: DuplexChannel): string {
  const heard = `${count(channel.received().length, 'message')} on the channel so far`;
  switch (failure.outcome) {
    case 'silent':
      return `${failure.detail} (${heard}); the WebSocket to ${channel.url} still open`;
    case 'timeout': {
      const last = record.timeline.at(-1);
      const lastSeen = last ? `last ${last.observed}` : 'nothing awaited';
      return (
        `not ready within the ${seconds(record.slaMs)} SLA: ${lastSeen} after ${count(record.attempts, 'message')} ` +
        `in ${seconds(record.elapsedMs, 1)} (${heard}); the WebSocket to ${channel.url} still open`
      );
    }
    default:
      return failure.detail;
  }
}

/** A message as the schema is given it (`json: true`), or not JSON when JSON was asked for. */
function decode(received: Received, as: ChannelWaitOptions<unknown>['decode'] = 'json') {
  if (as === 'bytes') return { json: true as const, value: received.bytes };
  if (as === 'text') return { json: true as const, value: received.text };
  if (received.binary) return { json: false as const };
  try {
    return { json: true as const, value: JSON.parse(received.text) as unknown };
  } catch {
    return { json: false as const };
  }
}

function defaultDescription(message: unknown): string {
  if (message !== null && typeof message === 'object') {
    const fields = message as Record<string, unknown>;
    const words = ['type', 'event', 'status', 'state', 'code'].map((key) => fields[key]);
    const shown = words.filter((word) => typeof word === 'string');
    if (shown.length > 0) return shown.join(' ');
  }
  return 'message';
}
