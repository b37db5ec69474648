import WebSocket from 'ws';
import { type Connection, type StreamClose, eventQueue } from './events';

// How long a closing WebSocket may take to finish its closing handshake before it is cut.
const WEBSOCKET_CLOSE_GRACE_MS = 1_000;

/** Opens a WebSocket that only receives; its messages, its refusal or its end come out of `next()`. */
export function openWebSocket(url: URL, headers: Record<string, string>, now: () => number = Date.now): Connection {
  const events = eventQueue();
  const socket = new WebSocket(url, { headers });
  let opened = false;
  let refused = false;
  let closingByClient = false;
  let lastError: string | undefined;
  let ended: StreamClose | undefined;
  const closed = new Promise<StreamClose>((resolve) => {
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
      receivedAt: now(),
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
