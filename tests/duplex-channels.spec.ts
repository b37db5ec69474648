import { Console, ConsoleMessage } from '../api/contracts';
import { type ApiClient, type TestChannel, byStatusField, expect, parse, test } from '../api/fixtures';

// An interactive console is created over REST, but starts only once a client holds its WebSocket channel
// open and has shaken hands on it. On the channel, every message carries an id, and every reply the id
// of the message it answers (its parent id): busy, then the result, then idle.

async function createConsole(api: ApiClient): Promise<Console> {
  const response = await api.post('/api/v1/consoles');
  await expect(response).toHaveStatus(201);
  return parse(response, Console);
}

/** What a reply on the channel is: a contract, and the parent id that ties it to a request. */
const replies = { schema: ConsoleMessage, replyTo: (reply: ConsoleMessage) => reply.parentId };

function shakeHands(channel: TestChannel, created: Console) {
  return channel.request({
    ...replies,
    operation: 'console start',
    subject: `console ${created.id}`,
    message: (id) => ({ type: 'hello', id }),
    until: (reply) => reply.type === 'welcome',
  });
}

test('a console becomes ready once its channel has shaken hands, the channel open while it is polled', async ({
  api,
  channels,
  waitUntilReady,
}) => {
  const created = await createConsole(api);
  expect(created.status).toBe('starting');
  const channel = await channels.open({ path: created.channel });

  const { message: welcome } = await shakeHands(channel, created);
  expect(welcome).toMatchObject({ type: 'welcome', console: created.id });

  const { value: started } = await waitUntilReady({
    operation: 'console start',
    subject: `console ${created.id}`,
    probe: ({ timeoutMs }) => api.get(`/api/v1/consoles/${created.id}`, { timeout: timeoutMs }),
    classify: byStatusField({ schema: Console, ready: ['ready'], failed: ['closed'], errorOf: () => 'channel closed' }),
  });
  expect(started.readyAt).not.toBeNull();
  expect(channel.ended()).toBeUndefined();
});

test('a request on the channel gets busy, its result and idle, each carrying its id', async ({
  api,
  channels,
  waitUntilReady,
}) => {
  const created = await createConsole(api);
  // The token in a query parameter, as servers that cannot read headers on an upgrade want it.
  const channel = await channels.open({ path: created.channel, token: { query: 'access_token' } });
  await shakeHands(channel, created);
  await waitUntilReady({
    operation: 'console start',
    subject: `console ${created.id}`,
    probe: () => api.get(`/api/v1/consoles/${created.id}`),
    classify: byStatusField({ schema: Console, ready: ['ready'] }),
  });

  const { id, message, messages } = await channel.request({
    ...replies,
    operation: 'console request',
    subject: `console ${created.id}`,
    silenceMs: 2_000,
    message: (id) => ({ type: 'execute', id, code: '1 + 2 + 39' }),
    until: (reply) => reply.type === 'status' && reply.state === 'idle',
    failsOn: (reply) => reply.type === 'error',
  });

  expect(messages).toEqual([
    { type: 'status', parentId: id, state: 'busy' },
    { type: 'result', parentId: id, value: 42 },
    { type: 'status', parentId: id, state: 'idle' },
  ]);
  expect(message.type).toBe('status');
});
