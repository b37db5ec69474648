import { z } from 'zod';
import { type DuplexChannel, openChannel } from '../../helpers/push/channel';
import { sendRequest } from '../../helpers/push/correlation';
import { type DemoInstance, expect, test } from './demo-fixtures';

// Any reply: the tests check the channel's words themselves.
const Reply = z.looseObject({ type: z.string(), parentId: z.string().nullable() });
type Reply = z.infer<typeof Reply>;

async function createConsole(demo: DemoInstance, authorization: string) {
  const response = await demo.api.post('/api/v1/consoles', { headers: { authorization } });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string; status: string; channel: string };
}

async function statusOf(demo: DemoInstance, authorization: string, id: string) {
  const response = await demo.api.get(`/api/v1/consoles/${id}`, { headers: { authorization } });
  return ((await response.json()) as { status: string }).status;
}

const open = (demo: DemoInstance, path: string, headers: Record<string, string>) =>
  openChannel({ url: new URL(path, demo.baseURL), headers });

/** Every reply to one request, until `until`: the channel's own words, checked by the test. */
function ask(channel: DuplexChannel, message: (id: string) => object, until: (reply: Reply) => boolean) {
  return sendRequest(channel, {
    operation: 'console request',
    subject: 'a demo console',
    slaMs: 5_000,
    schema: Reply,
    message,
    replyTo: (reply: Reply) => reply.parentId,
    until,
  });
}

test('a console starts once its channel has shaken hands, and closes with it', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const created = await createConsole(demo, authorization);
  expect(created).toMatchObject({ status: 'starting', channel: `/api/v1/consoles/${created.id}/channel` });
  const channel = await open(demo, created.channel, { authorization });

  const early = await ask(
    channel,
    (id) => ({ type: 'execute', id, code: '1 + 1' }),
    () => true,
  );
  expect(early.message).toMatchObject({ type: 'error', code: 'HANDSHAKE_REQUIRED', parentId: early.id });
  expect(await statusOf(demo, authorization, created.id)).toBe('starting');

  const hello = await ask(
    channel,
    (id) => ({ type: 'hello', id }),
    () => true,
  );
  expect(hello.message).toEqual({ type: 'welcome', parentId: hello.id, console: created.id });
  await expect.poll(() => statusOf(demo, authorization, created.id)).toBe('ready');

  await channel.close();
  await expect.poll(() => statusOf(demo, authorization, created.id)).toBe('closed');
});

test('a request gets busy, its result and idle, each with the request id; a bad one an error', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const created = await createConsole(demo, authorization);
  const channel = await open(demo, created.channel, { authorization });
  await ask(
    channel,
    (id) => ({ type: 'hello', id }),
    () => true,
  );
  await expect.poll(() => statusOf(demo, authorization, created.id)).toBe('ready');

  const sum = await ask(
    channel,
    (id) => ({ type: 'execute', id, code: '40 + 2' }),
    (reply) => reply['state'] === 'idle',
  );
  expect(sum.messages).toEqual([
    { type: 'status', parentId: sum.id, state: 'busy' },
    { type: 'result', parentId: sum.id, value: 42 },
    { type: 'status', parentId: sum.id, state: 'idle' },
  ]);
  const bad = await ask(
    channel,
    (id) => ({ type: 'execute', id, code: 'rm -rf /' }),
    () => true,
  );
  expect(bad.message).toMatchObject({ type: 'error', parentId: bad.id, code: 'INVALID_CODE' });
  await channel.close();
});

test('the channel takes the token from access_token, and refuses strangers and a second channel', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi();
  const owner = await demo.signUp();
  const stranger = await demo.signUp();
  const created = await createConsole(demo, owner.authorization);
  const token = owner.authorization.slice('Bearer '.length);

  const channel = await open(demo, `${created.channel}?access_token=${token}`, {});
  await expect(open(demo, created.channel, { authorization: owner.authorization })).rejects.toThrow(
    /HTTP 409 instead of upgrading: .*CHANNEL_IN_USE/,
  );
  await expect(open(demo, created.channel, { authorization: stranger.authorization })).rejects.toThrow(
    /HTTP 404 instead of upgrading: .*CONSOLE_NOT_FOUND/,
  );
  await expect(open(demo, created.channel, {})).rejects.toThrow(/HTTP 401 instead of upgrading: .*MISSING_TOKEN/);
  await channel.close();
});

test('channel-silent: after the welcome the channel says nothing, its pings still answered', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const created = await createConsole(demo, authorization);
  const channel = await open(demo, created.channel, { authorization, 'x-demo-faults': 'channel-silent' });
  await ask(
    channel,
    (id) => ({ type: 'hello', id }),
    () => true,
  );
  await expect.poll(() => statusOf(demo, authorization, created.id)).toBe('ready');

  await channel.sendJson({ type: 'execute', id: 'req-silent', code: '1 + 2' });
  // The server answers in order: a pong after the request means no busy came before it.
  await channel.ping();
  await expect.poll(() => channel.frames().some((frame) => frame.kind === 'pong')).toBe(true);
  expect(channel.received().map(({ text }) => (JSON.parse(text) as Reply).type)).toEqual(['welcome']);
  await channel.close();
});

test('channel-drop: a request gets busy, then the connection breaks without a close frame', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'channel-drop' });
  const { authorization } = await demo.signUp();
  const created = await createConsole(demo, authorization);
  const channel = await open(demo, created.channel, { authorization });
  await ask(
    channel,
    (id) => ({ type: 'hello', id }),
    () => true,
  );
  await expect.poll(() => statusOf(demo, authorization, created.id)).toBe('ready');

  await channel.sendJson({ type: 'execute', id: 'req-drop', code: '1 + 2' });
  await expect.poll(() => channel.ended()).toMatchObject({ by: 'server', code: 1006 });
  expect(
    channel
      .received()
      .map(({ text }) => JSON.parse(text) as Reply)
      .at(-1),
  ).toEqual({
    type: 'status',
    parentId: 'req-drop',
    state: 'busy',
  });
});
