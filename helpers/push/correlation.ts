import type { DuplexChannel } from './channel';
import { type ChannelWaitOptions, type ChannelWaitResult, waitForChannelMessage } from './channel-wait';

export type RequestOptions<M> = Omit<ChannelWaitOptions<M>, 'about' | 'from' | 'send'> & {
  /** The request to send, given its id: `(id) => ({ type: 'execute', id, code: '1 + 2' })`. */
  message: (id: string) => unknown;
  /** The id of the request a reply answers (its parent id), or undefined for a message that answers none. */
  replyTo: (message: M) => string | null | undefined;
  /** The request's id; by default `<prefix>-<n>`, counted per channel. */
  id?: string;
};

export type RequestResult<M> = ChannelWaitResult<M> & { id: string };

// The ids given to requests, counted per channel so that a test's ids are the same in every run.
const requestsSent = new WeakMap<DuplexChannel, number>();

/** A request id, unique on its channel: `req-1`, `req-2`… */
export function nextRequestId(channel: DuplexChannel, prefix = 'req'): string {
  const n = (requestsSent.get(channel) ?? 0) + 1;
  requestsSent.set(channel, n);
  return `${prefix}-${n}`;
}

/**
 * Sends a request as JSON and waits for the reply `until` picks among the replies to it (those whose
 * `replyTo` is its id), the replies to other requests passed over. The request is sent once the wait
 * has begun, so that its SLA and its time to ready count from the request.
 */
export async function sendRequest<M>(channel: DuplexChannel, options: RequestOptions<M>): Promise<RequestResult<M>> {
  const { message, replyTo, id = nextRequestId(channel), ...wait } = options;
  const result = await waitForChannelMessage(channel, {
    ...wait,
    from: channel.received().length,
    send: () => channel.sendJson(message(id)),
    about: (reply) => replyTo(reply) === id,
  });
  return { ...result, id };
}
