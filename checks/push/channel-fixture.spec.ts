import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ExchangeReporter } from '../../helpers/http/client';
import { expect, test as core } from '../../fixtures';

// The channels fixture closes what a test left open. `channels` depends on `_reportExchange`, so the
// override below is torn down after it: it sees what the server saw once the fixture was done.

type Closes = { url: string; codes: number[] };

const test = core.extend<{ server: Closes; _reportExchange: ExchangeReporter }>({
  server: async ({}, use) => {
    const codes: number[] = [];
    const server = createServer();
    const sockets = new WebSocketServer({ server });
    const closed = new Set<Promise<void>>();
    sockets.on('connection', (socket) => {
      closed.add(new Promise((resolve) => socket.on('close', (code) => resolve(void codes.push(code)))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await use({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, codes });
    for (const socket of sockets.clients) socket.terminate();
    await Promise.all(closed);
    await new Promise((resolve) => server.close(resolve));
  },
  _reportExchange: async ({ _reportExchange, server }, use) => {
    await use(_reportExchange);
    // The client's close handshake is done when its close() resolves; the server has its event by then.
    await expect.poll(() => server.codes).toEqual([1000, 1000]);
  },
});

test('the fixture closes every channel a test left open, at the end of the test', async ({ channels, server }) => {
  const first = await channels.open({ url: server.url, role: null });
  const second = await channels.open({ url: server.url, role: null });
  await first.sendJson({ type: 'hello' });

  expect(first.ended()).toBeUndefined();
  expect(second.ended()).toBeUndefined();
  expect(server.codes).toEqual([]);
});
