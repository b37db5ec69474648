import { EventSource, type FetchLike } from 'eventsource';
import { type Connection, type ServerSentEvent, type StreamClose, eventQueue } from './events';

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

/** Opens an event stream; its events, its refusal or its end come out of `next()`. */
export function openEventStream(url: URL, headers: Record<string, string>, now: () => number = Date.now): Connection {
  const events = eventQueue();
  let refusal: { status: number; contentType: string; body: string } | undefined;
  let opened = false;
  let ended: StreamClose | undefined;

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
      receivedAt: now(),
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
