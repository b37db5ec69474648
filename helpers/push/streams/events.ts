/** A server-sent event as the schema of an event stream sees it: its name, its id and its data, parsed as JSON. */
export type ServerSentEvent = { event: string; id: string | undefined; data: unknown };

/** How a stream ended: closed by the client (after the terminal message, or on failure) or by the server. */
export type StreamClose = { by: 'client' | 'server'; code?: number; reason?: string; error?: string };

// What a stream client tells, in order: it opened, was refused, failed to connect; a message; its end.
export type StreamEvent =
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
  | { kind: 'ended'; close: StreamClose };

export type Connection = {
  next(): Promise<StreamEvent>;
  /** Closes the channel unless the server did; resolves to how it ended. */
  close(): Promise<StreamClose>;
};

export function eventQueue() {
  const queued: StreamEvent[] = [];
  let waiting: ((event: StreamEvent) => void) | undefined;
  return {
    push(event: StreamEvent) {
      const resolve = waiting;
      waiting = undefined;
      if (resolve) resolve(event);
      else queued.push(event);
    },
    next(): Promise<StreamEvent> {
      const first = queued.shift();
      return first ? Promise.resolve(first) : new Promise((resolve) => (waiting = resolve));
    },
  };
}
