import { z } from 'zod';
import { openChannel } from '../../helpers/push/channel';
import { ChannelWaitError } from '../../helpers/push/channel-wait';
import { sendRequest } from '../../helpers/push/correlation';
import { type DemoInstance, expect, test } from './demo-fixtures';

// The channel waits against the demo's faults: a channel that goes silent and one that drops fail
// fast, each in its own words, and never as a timeout of the SLA, which is far away.

const Reply = z.looseObject({ type: z.string(), parentId: z.string().nullable(), state: z.string().optional() });
const SLA_MS = 10_000;

/** A console whose channel has shaken hands and which is ready, its channel open with the fault asked for. */
async function readyConsole(demo: DemoInstance, fault?: string) {
  const { authorization } = await demo.signUp();
  const response = await demo.api.post('/api/v1/consoles', { headers: { authorization } });
  const { id, channel: path } = (await response.json()) as { id: string; channel: string };
  const headers: Record<string, string> = { authorization, ...(fault ? { 'x-demo-faults': fault } : {}) };
  const channel = await openChannel({ url: new URL(path, demo.baseURL), headers });
  await sendRequest(channel, { ...execute(id), message: (requestId) => ({ type: 'hello', id: requestId }) });
  const status = async () =>
    (
      (await (await demo.api.get(`/api/v1/consoles/${id}`, { headers: { authorization } })).json()) as {
        status: string;
      }
    ).status;
  await expect.poll(status).toBe('ready');
  return { id, channel };
}

function execute(consoleId: string, silenceMs?: number) {
  return {
    operation: 'console request',
    subject: `console ${consoleId}`,
    slaMs: SLA_MS,
    silenceMs,
    schema: Reply,
    replyTo: (reply: z.infer<typeof Reply>) => reply.parentId,
    message: (id: string) => ({ type: 'execute', id, code: '1 + 2' }),
    until: (reply: z.infer<typeof Reply>) => reply.type !== 'status' || reply.state === 'idle',
  };
}

test('a channel that goes silent fails as silent within a second of its silence limit', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { id, channel } = await readyConsole(demo, 'channel-silent');

  const sentAt = Date.now();
  const failure = await sendRequest(channel, execute(id, 500)).catch((error: unknown) => error);
  const failedAfterMs = Date.now() - sentAt;

  expect(failure).toBeInstanceOf(ChannelWaitError);
  const { message, record } = failure as ChannelWaitError;
  expect(message).toMatch(
    new RegExp(
      `^Silent channel: console request \\(websocket\\) of console ${id} went silent: nothing for 0\\.\\d s, ` +
        'past its silence limit of 0\\.5 s, after 0 messages \\(1 message on the channel so far\\); ' +
        'the WebSocket to ws://127\\.0\\.0\\.1:\\d+/api/v1/consoles/con_[\\w-]+/channel still open$',
    ),
  );
  expect(record).toMatchObject({ outcome: 'silent', silence: { limitMs: 500 }, attempts: 0, close: undefined });
  expect(record.silence!.silentForMs).toBeGreaterThanOrEqual(500);
  expect(failedAfterMs).toBeGreaterThanOrEqual(500);
  expect(failedAfterMs).toBeLessThan(500 + 1_000);
  await channel.close();
});

test('without a silence limit, the same silence is only the timeout of the SLA', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { id, channel } = await readyConsole(demo, 'channel-silent');

  const failure = await sendRequest(channel, { ...execute(id), slaMs: 1_500 }).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(ChannelWaitError);
  expect((failure as ChannelWaitError).message).toMatch(
    new RegExp(`^Readiness timeout: console request \\(websocket\\) of console ${id} not ready within the 1\\.5 s SLA`),
  );
  expect((failure as ChannelWaitError).record.outcome).toBe('timeout');
  await channel.close();
});

test('a channel that drops fails within a second of the drop, as dropped', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { id, channel } = await readyConsole(demo, 'channel-drop');
  let droppedAt: number | undefined;
  channel.listen((event) => {
    if (event.kind === 'ended') droppedAt = Date.now();
  });

  const failure = await sendRequest(channel, execute(id, 5_000)).catch((error: unknown) => error);
  const failedAt = Date.now();

  expect(failure).toBeInstanceOf(ChannelWaitError);
  const { message, record } = failure as ChannelWaitError;
  expect(message).toMatch(
    new RegExp(
      `^Connection dropped: console request \\(websocket\\) of console ${id} lost its channel 0\\.\\d s into the wait: ` +
        'the WebSocket to ws://\\S+ was closed by the server with code 1006, after 1 message; last: status busy$',
    ),
  );
  expect(record).toMatchObject({ outcome: 'connection-dropped', close: { by: 'server', code: 1006 } });
  expect(droppedAt).toBeDefined();
  expect(failedAt - droppedAt!).toBeLessThan(1_000);
});
