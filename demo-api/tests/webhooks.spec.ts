import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { expect, test as base, type DemoInstance } from './demo-fixtures';

type Received = { headers: Record<string, string>; body: string };
/** What the receiver answers to each request in turn (200 once they are used up); `silence` answers nothing. */
type Answer = number | 'silence';
type Receiver = { url: string; received: Received[] };
type Delivery = { webhookId: string; attempt: number; sentAt: string; status: number | null; error: string | null };
type WebhookEvent = { type: string; timestamp: string; data: Record<string, unknown> & { taskId: string } };

const flatHeaders = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
  );

// A webhook receiver on a free port, as a team's test would run one.
const test = base.extend<{ startReceiver: (answers?: Answer[]) => Promise<Receiver> }>({
  startReceiver: async ({}, use) => {
    const servers: Array<ReturnType<typeof createServer>> = [];
    await use(async (answers = []) => {
      const received: Received[] = [];
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({ headers: flatHeaders(request.headers), body: Buffer.concat(chunks).toString('utf8') });
          const answer = answers.shift() ?? 200;
          if (answer !== 'silence') response.writeHead(answer).end();
        });
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, received };
    });
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  },
});

async function submit(demo: DemoInstance, authorization: string, data: object, headers: Record<string, string> = {}) {
  const response = await demo.api.post('/api/v1/images/generations', {
    headers: { authorization, ...headers },
    data: { prompt: 'a fox', ...data },
  });
  expect(response.status()).toBe(202);
  return ((await response.json()) as { taskId: string }).taskId;
}

async function signingSecret(demo: DemoInstance, authorization: string) {
  const response = await demo.api.get('/api/v1/webhooks/signing-secret', { headers: { authorization } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { secret: string }).secret;
}

async function deliveries(demo: DemoInstance, taskId: string) {
  const response = await demo.api.get('/__demo/webhooks', { params: { taskId } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { deliveries: Delivery[] }).deliveries;
}

async function readTask(demo: DemoInstance, authorization: string, taskId: string) {
  const response = await demo.api.get(`/api/v1/tasks/${taskId}`, { headers: { authorization } });
  expect(response.status()).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const eventOf = ({ body }: Received) => JSON.parse(body) as WebhookEvent;

test('a finished task sends a webhook signed with the signing secret of its owner', async ({
  startDemoApi,
  startReceiver,
}) => {
  const demo = await startDemoApi();
  const receiver = await startReceiver();
  const { authorization } = await demo.signUp();
  const secret = await signingSecret(demo, authorization);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  expect(await signingSecret(demo, authorization)).toBe(secret);
  expect(await signingSecret(demo, (await demo.signUp()).authorization)).not.toBe(secret);

  const taskId = await submit(demo, authorization, { callbackUrl: receiver.url });
  await expect.poll(() => receiver.received.length).toBe(1);
  const [webhook] = receiver.received;
  expect(webhook!.headers).toMatchObject({
    'content-type': 'application/json',
    'webhook-id': expect.stringMatching(/^msg_[0-9a-f-]{36}$/),
    'webhook-timestamp': expect.stringMatching(/^\d+$/),
    'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
  });
  expect(new Webhook(secret).verify(webhook!.body, webhook!.headers)).toEqual(eventOf(webhook!));

  const task = await readTask(demo, authorization, taskId);
  expect(eventOf(webhook!)).toEqual({
    type: 'image.generation.completed',
    timestamp: expect.any(String),
    data: { taskId, status: 'completed', completedAt: task['completedAt'], result: task['result'] },
  });
  expect(await deliveries(demo, taskId)).toEqual([
    { webhookId: webhook!.headers['webhook-id'], attempt: 1, sentAt: expect.any(String), status: 200, error: null },
  ]);
});

test('a failed task sends image.generation.failed with the error', async ({ startDemoApi, startReceiver }) => {
  const demo = await startDemoApi();
  const receiver = await startReceiver();
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization, { callbackUrl: receiver.url }, { 'x-demo-scenario': 'fails' });
  await expect.poll(() => receiver.received.length).toBe(1);
  const task = await readTask(demo, authorization, taskId);
  expect(eventOf(receiver.received[0]!)).toEqual({
    type: 'image.generation.failed',
    timestamp: expect.any(String),
    data: { taskId, status: 'failed', failedAt: task['failedAt'], error: task['error'] },
  });
});

test('a receiver that answers 500 gets the same message again, freshly signed', async ({
  startDemoApi,
  startReceiver,
}) => {
  const demo = await startDemoApi();
  const receiver = await startReceiver([500]);
  const { authorization } = await demo.signUp();
  const secret = await signingSecret(demo, authorization);
  const taskId = await submit(demo, authorization, { callbackUrl: receiver.url });

  await expect.poll(() => receiver.received.length).toBe(2);
  const [first, second] = receiver.received;
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(second!.body).toBe(first!.body);
  expect(new Webhook(secret).verify(second!.body, second!.headers)).toEqual(eventOf(first!));
  expect((await deliveries(demo, taskId)).map(({ attempt, status }) => ({ attempt, status }))).toEqual([
    { attempt: 1, status: 500 },
    { attempt: 2, status: 200 },
  ]);
});

test('a receiver that cannot be reached is tried six times in all, then given up', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  // A port that was free a moment ago: connections to it are refused.
  const closed = await new Promise<string>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
      server.close(() => resolve(url));
    });
  });
  const taskId = await submit(demo, authorization, { callbackUrl: closed });

  await expect.poll(async () => (await deliveries(demo, taskId)).filter(({ error }) => error !== null).length).toBe(6);
  const attempts = await deliveries(demo, taskId);
  expect(attempts.map(({ attempt, status }) => ({ attempt, status }))).toEqual(
    [1, 2, 3, 4, 5, 6].map((attempt) => ({ attempt, status: null })),
  );
  expect(new Set(attempts.map(({ webhookId }) => webhookId)).size).toBe(1);
  // The redeliveries wait 100, 200, 400, 800 and 1600 ms, times the latency scale of 0.1.
  const sentAt = attempts.map((attempt) => Date.parse(attempt.sentAt));
  expect(sentAt.at(-1)! - sentAt[0]!).toBeGreaterThanOrEqual(310);
});

test('a receiver that does not answer within 2 s gets the message again', async ({ startDemoApi, startReceiver }) => {
  const demo = await startDemoApi();
  const receiver = await startReceiver(['silence']);
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization, { callbackUrl: receiver.url });

  await expect.poll(async () => (await deliveries(demo, taskId)).map(({ status }) => status)).toEqual([null, 200]);
  const [unanswered] = await deliveries(demo, taskId);
  expect(unanswered!.error).toBe('no answer within 2000 ms');
  expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
});

test('a callbackUrl must be an http or https URL', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  for (const callbackUrl of ['ftp://127.0.0.1/webhooks', 'not a url', '']) {
    const response = await demo.api.post('/api/v1/images/generations', {
      headers: { authorization },
      data: { prompt: 'a fox', callbackUrl },
    });
    expect(response.status(), callbackUrl).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_REQUEST' });
  }
});

test('the webhook control lists nothing for a task without a callbackUrl and refuses an unknown task', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  expect(await deliveries(demo, await submit(demo, authorization, {}))).toEqual([]);
  const unknown = await demo.api.get('/__demo/webhooks', { params: { taskId: 'tsk_unknown' } });
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ code: 'TASK_NOT_FOUND' });
});

test('webhook-bad-signature sends a webhook that fails verification', async ({ startDemoApi, startReceiver }) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'webhook-bad-signature' });
  const receiver = await startReceiver();
  const { authorization } = await demo.signUp();
  const secret = await signingSecret(demo, authorization);
  const taskId = await submit(demo, authorization, { callbackUrl: receiver.url });

  await expect.poll(() => receiver.received.length).toBe(1);
  const [webhook] = receiver.received;
  expect(eventOf(webhook!).data.taskId).toBe(taskId);
  expect(webhook!.headers['webhook-signature']).toMatch(/^v1,/);
  expect(() => new Webhook(secret).verify(webhook!.body, webhook!.headers)).toThrow('No matching signature found');
});

test('webhook-duplicate delivers the same message twice, with one webhook-id', async ({
  startDemoApi,
  startReceiver,
}) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'webhook-duplicate' });
  const receiver = await startReceiver();
  const { authorization } = await demo.signUp();
  const secret = await signingSecret(demo, authorization);
  const taskId = await submit(demo, authorization, { callbackUrl: receiver.url });

  await expect.poll(() => receiver.received.length).toBe(2);
  const [first, second] = receiver.received;
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(second!.body).toBe(first!.body);
  for (const webhook of receiver.received)
    expect(new Webhook(secret).verify(webhook.body, webhook.headers)).toBeTruthy();
  expect((await deliveries(demo, taskId)).map(({ attempt, status }) => ({ attempt, status }))).toEqual([
    { attempt: 1, status: 200 },
    { attempt: 2, status: 200 },
  ]);
});

test('webhook-lost sends nothing, while the webhook of its healthy twin arrives', async ({
  startDemoApi,
  startReceiver,
}) => {
  const demo = await startDemoApi();
  const receiver = await startReceiver();
  const { authorization } = await demo.signUp();
  // Same prompt, so the same duration; the lost one was submitted first and finished first.
  const lost = await submit(demo, authorization, { callbackUrl: receiver.url }, { 'x-demo-faults': 'webhook-lost' });
  const healthy = await submit(demo, authorization, { callbackUrl: receiver.url });

  await expect.poll(() => receiver.received.length).toBe(1);
  expect(eventOf(receiver.received[0]!).data.taskId).toBe(healthy);
  expect(await readTask(demo, authorization, lost)).toMatchObject({ status: 'completed' });
  expect(await deliveries(demo, lost)).toEqual([]);
});

test('webhook-late sends nothing when the task is finished and the webhook 20 s (scaled) later', async ({
  startDemoApi,
  startReceiver,
}) => {
  const demo = await startDemoApi();
  const receiver = await startReceiver();
  const { authorization } = await demo.signUp();
  const late = await submit(demo, authorization, { callbackUrl: receiver.url }, { 'x-demo-faults': 'webhook-late' });
  const healthy = await submit(demo, authorization, { callbackUrl: receiver.url });

  await expect.poll(() => receiver.received.length).toBe(1);
  expect(eventOf(receiver.received[0]!).data.taskId).toBe(healthy);
  expect(await readTask(demo, authorization, late)).toMatchObject({ status: 'completed' });
  expect(await deliveries(demo, late)).toEqual([]);

  await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2);
  const { timestamp, data } = eventOf(receiver.received[1]!);
  expect(data.taskId).toBe(late);
  // 20 s times the latency scale of 0.1.
  expect(Date.parse(timestamp) - Date.parse(data['completedAt'] as string)).toBeGreaterThanOrEqual(2_000);
});
