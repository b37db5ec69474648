import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, type Socket, createServer as createTcpServer } from 'node:net';
import { test as base, expect } from '@playwright/test';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { AuthHeader, AuthSource } from '../../helpers/http/client';
import { ChannelOpenError, openChannel } from '../../helpers/push/channel';
import { ChannelWaitError, waitForChannelMessage } from '../../helpers/push/channel-wait';
import type { WaitReporter } from '../../helpers/wait';
import { Redactor } from '../../helpers/secrets/redactor';

// The channel itself, against a WebSocket server of the check's own that echoes what it is sent and
// records what it sees: the opening request, the frames, the pings and the close.

const TOKEN = 'channel-token-3Vb7Nq';
const SECRET = 'channel-secret-9Zx4Lp';

type Seen = { request: IncomingMessage; frames: string[]; pings: number; pongs: number; closed?: number };

const test = base.extend<{ server: { url: string; seen: Seen[]; next: () => Promise<WebSocket> } }>({
  server: async ({}, use) => {
    const seen: Seen[] = [];
    const waiting: Array<(socket: WebSocket) => void> = [];
    const server = createServer();
    const sockets = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      const authorized = request.headers.authorization === `Bearer ${TOKEN}` || request.url?.includes(TOKEN);
      if (!authorized) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n{"code":"NO_KEY"}',
        );
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => {
        const entry: Seen = { request, frames: [], pings: 0, pongs: 0 };
        seen.push(entry);
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          entry.frames.push(isBinary ? `binary ${data.toString('hex')}` : data.toString('utf8'));
          if (!isBinary && data.toString('utf8').includes('"ping"')) ws.send(JSON.stringify({ type: 'pong' }));
          else ws.send(data, { binary: isBinary });
        });
        ws.on('ping', () => (entry.pings += 1));
        ws.on('pong', () => (entry.pongs += 1));
        ws.on('close', (code) => (entry.closed = code));
        waiting.shift()?.(ws);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/channel`;
    await use({ url, seen, next: () => new Promise((resolve) => waiting.push(resolve)) });
    for (const socket of sockets.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  },
});

/** Records the steps and attachments a channel reports. */
function recordingReporter() {
  const steps: string[] = [];
  const attachments: unknown[] = [];
  const reporter: WaitReporter = {
    step: async (title, body) => {
      steps.push(title);
      return body({
        rename: async (name) => void steps.push(`→ ${name}`),
        parameter: async () => undefined,
        attachJson: async (_name, value) => void attachments.push(value),
      });
    },
  };
  return { reporter, steps, attachments };
}

const bearer = (token: string): AuthSource => ({
  header: async () => ({ name: 'Authorization', value: `Bearer ${token}` }),
  renew: async () => undefined,
});
const Echo = z.looseObject({ type: z.string() });

test('text, JSON and binary frames go out and come back, each logged with its time and redacted', async ({
  server,
}) => {
  const redactor = new Redactor();
  redactor.addSecret(SECRET);
  const { reporter, steps } = recordingReporter();
  const channel = await openChannel({ url: server.url, auth: bearer(TOKEN), reporter, redactor });

  await channel.send('hello');
  await channel.sendJson({ type: 'note', secret: SECRET });
  await channel.sendBinary(new Uint8Array([1, 2, 255]));
  const { message } = await waitForChannelMessage(channel, {
    operation: 'echo',
    subject: 'the JSON frame',
    slaMs: 5_000,
    schema: Echo,
    from: 1,
    until: (echo) => echo.type === 'note',
  });
  await expect.poll(() => channel.received().length).toBe(3);
  await channel.close();

  expect(message).toEqual({ type: 'note', secret: SECRET });
  expect(server.seen[0]!.frames).toEqual(['hello', JSON.stringify({ type: 'note', secret: SECRET }), 'binary 0102ff']);
  const frames = channel.frames().filter(({ kind }) => kind !== 'ping' && kind !== 'pong');
  expect(frames.map(({ direction, kind }) => `${direction} ${kind}`)).toEqual([
    'sent text',
    'sent text',
    'sent binary',
    'received text',
    'received text',
    'received binary',
  ]);
  expect(frames[1]!.data).toBe('{"type":"note","secret":"[REDACTED]"}');
  expect(frames[2]!.data).toBe('<3 bytes, base64 AQL/>');
  for (const frame of frames) expect(frame.atMs).toBeGreaterThanOrEqual(0);
  expect(JSON.stringify(steps)).not.toContain(SECRET);
  expect(steps).toContain('Send {"type":"note","secret":"[REDACTED]"}');
  expect(server.seen[0]!.closed).toBe(1000);
});

test('the token goes in a query parameter when asked, and a refusal names the status and the body', async ({
  server,
}) => {
  const channel = await openChannel({ url: server.url, auth: bearer(TOKEN), token: { query: 'access_token' } });
  await channel.close();
  expect(server.seen[0]!.request.url).toBe(`/channel?access_token=${TOKEN}`);
  expect(server.seen[0]!.request.headers.authorization).toBeUndefined();

  const refused = await openChannel({ url: server.url, auth: bearer('wrong') }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(ChannelOpenError);
  expect((refused as ChannelOpenError).message).toMatch(/HTTP 401 instead of upgrading: \{"code":"NO_KEY"\}$/);
});

test('a credential refused with 401 is renewed once, and the channel opens with the new one', async ({ server }) => {
  const renewed: AuthHeader[] = [];
  const auth: AuthSource = {
    header: async () => ({ name: 'Authorization', value: 'Bearer expired' }),
    renew: async (rejected) => {
      renewed.push(rejected);
      return { name: 'Authorization', value: `Bearer ${TOKEN}` };
    },
  };
  const channel = await openChannel({ url: server.url, auth });
  await channel.close();
  expect(renewed).toEqual([{ name: 'Authorization', value: 'Bearer expired' }]);
  expect(server.seen).toHaveLength(1);
});

test("the server's pings are answered, the application's through `answer`, and keepalives go out", async ({
  server,
}) => {
  const opened = server.next();
  const channel = await openChannel({
    url: server.url,
    auth: bearer(TOKEN),
    keepAlive: { everyMs: 50 },
    answer: (message) => ((message as { type?: string }).type === 'ping' ? { type: 'pong' } : undefined),
  });
  const socket = await opened;
  socket.ping();
  socket.send(JSON.stringify({ type: 'ping' }));

  await expect.poll(() => server.seen[0]!.pongs).toBe(1);
  await expect.poll(() => server.seen[0]!.frames).toContain('{"type":"pong"}');
  await expect.poll(() => server.seen[0]!.pings).toBeGreaterThanOrEqual(2);
  await channel.close();
  const kinds = channel.frames().map(({ direction, kind }) => `${direction} ${kind}`);
  expect(kinds).toContain('received ping');
  expect(kinds).toContain('sent ping');
});

test('an upgrade left unanswered fails the opening after its timeout, naming it', async () => {
  const held = new Set<Socket>();
  const silent = createTcpServer((socket) => void held.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`;

  const failure = await openChannel({ url, openTimeoutMs: 200 }).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(ChannelOpenError);
  expect((failure as ChannelOpenError).message).toBe(`Could not open ${url}: Opening handshake has timed out`);
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

test('a wait takes binary frames as bytes when asked, and as a broken contract otherwise', async ({ server }) => {
  const channel = await openChannel({ url: server.url, auth: bearer(TOKEN) });
  await channel.sendBinary(new Uint8Array([7, 8, 9]));
  const echo = { operation: 'echo', subject: 'the binary frame', slaMs: 5_000, from: 0 };

  const { message } = await waitForChannelMessage(channel, {
    ...echo,
    decode: 'bytes',
    schema: z.instanceof(Uint8Array),
    until: (bytes) => bytes.length === 3,
  });
  const failure = await waitForChannelMessage(channel, { ...echo, schema: Echo, until: () => true }).catch(
    (error: unknown) => error,
  );
  await channel.close();

  expect([...message]).toEqual([7, 8, 9]);
  expect((failure as ChannelWaitError).message).toMatch(
    /^Contract violation: echo \(websocket\) of the binary frame on message 1, \d\.\d s into the wait: it is not JSON\.\n\nBody:\n<3 bytes, base64 BwgJ>$/,
  );
});
