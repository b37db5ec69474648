import { randomUUID } from 'node:crypto';
import { get, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { expect, test, type DemoInstance } from './demo-fixtures';

type TaskBody = { id: string; status: string; progress: number };
type StreamEvent = { id: string; event: string; data: TaskBody };
type Message = { type: string; task: TaskBody };

async function submit(demo: DemoInstance, authorization: string, headers: Record<string, string> = {}) {
  const response = await demo.api.post('/api/v1/images/generations', {
    headers: { authorization, ...headers },
    data: { prompt: 'a fox' },
  });
  expect(response.status()).toBe(202);
  return ((await response.json()) as { taskId: string }).taskId;
}

function parseEvent(block: string): StreamEvent {
  const fields = Object.fromEntries(
    block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
  ) as Record<string, string>;
  return { id: fields['id']!, event: fields['event']!, data: JSON.parse(fields['data']!) as TaskBody };
}

/**
 * Reads a server-sent event stream until the server ends it (`ended`), breaks it (`broken`),
 * or `leaveWhen` says the client has seen enough (`left`). A connection of its own, closed at the end.
 */
function readEvents(url: string, headers: Record<string, string>, leaveWhen?: (events: StreamEvent[]) => boolean) {
  return new Promise<{
    status: number;
    headers: IncomingHttpHeaders;
    events: StreamEvent[];
    ending: 'ended' | 'broken' | 'left';
  }>((resolve, reject) => {
    const request = get(url, { headers, agent: false }, (response) => {
      const events: StreamEvent[] = [];
      const done = (ending: 'ended' | 'broken' | 'left') =>
        resolve({ status: response.statusCode!, headers: response.headers, events, ending });
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          events.push(parseEvent(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
        if (leaveWhen?.(events)) {
          done('left');
          request.destroy();
        }
      });
      response.on('end', () => done('ended'));
      // A response cut short: the chunked body never got its last chunk.
      response.on('aborted', () => done('broken'));
      response.on('error', () => done('broken'));
    });
    request.on('error', reject);
  });
}

/** Opens a task's WebSocket and collects its messages until it closes. */
function readMessages(url: string, headers: Record<string, string>) {
  return new Promise<{ messages: Message[]; code: number; reason: string }>((resolve) => {
    const socket = new WebSocket(url, { headers });
    const messages: Message[] = [];
    socket.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString('utf8')) as Message));
    socket.on('error', () => undefined); // an abrupt end shows in the close code
    socket.on('close', (code, reason) => resolve({ messages, code, reason: reason.toString('utf8') }));
  });
}

/** The HTTP answer to a WebSocket upgrade that the server refuses. */
function refusalOf(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error(`${url} accepted the upgrade`));
    });
    socket.on('error', () => undefined); // the refusal is the expected outcome
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }),
      );
    });
  });
}

const eventsUrl = (demo: DemoInstance, taskId: string) => `${demo.baseURL}/api/v1/tasks/${taskId}/events`;
const socketUrl = (demo: DemoInstance, taskId: string) =>
  `${demo.baseURL.replace(/^http/, 'ws')}/api/v1/tasks/${taskId}/stream`;

async function readTask(demo: DemoInstance, authorization: string, taskId: string) {
  return (await (await demo.api.get(`/api/v1/tasks/${taskId}`, { headers: { authorization } })).json()) as TaskBody;
}

test('server-sent events report a task from its current state until completed, then end', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization);
  const { status, headers, events, ending } = await readEvents(eventsUrl(demo, taskId), { authorization });

  expect(status).toBe(200);
  expect(headers).toMatchObject({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  expect(ending).toBe('ended');
  expect(events.map(({ id }) => id)).toEqual(events.map((_, index) => String(index + 1)));
  expect(events.at(-1)).toEqual({
    id: String(events.length),
    event: 'completed',
    data: await readTask(demo, authorization, taskId),
  });
  // Before it: progress events, queued or processing, whose progress never goes back.
  for (const { event, data } of events.slice(0, -1)) {
    expect({ event, status: data.status }).toEqual({
      event: 'progress',
      status: expect.stringMatching(/^(queued|processing)$/),
    });
  }
  const progress = events.map(({ data }) => data.progress);
  expect(progress).toEqual(progress.toSorted((a, b) => a - b));
});

test('a failed task ends its event stream with failed', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization, { 'x-demo-scenario': 'fails' });
  const { events, ending } = await readEvents(eventsUrl(demo, taskId), { authorization });
  expect(ending).toBe('ended');
  expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'failed' } });
});

test('a task that never finishes streams progress until the client leaves', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization, email } = await demo.signUp();
  const taskId = await submit(demo, authorization, { 'x-demo-scenario': 'never-finishes' });
  const { events, ending } = await readEvents(eventsUrl(demo, taskId), { authorization }, (seen) => seen.length >= 5);

  expect(ending).toBe('left');
  expect(new Set(events.map(({ event }) => event))).toEqual(new Set(['progress']));
  // Queued for a moment at most: the other events are the ticks of a task that stays processing.
  expect(events.filter(({ data }) => data.status === 'processing').length).toBeGreaterThanOrEqual(4);
  // The server noticed the client leave: the stream is counted once it is over.
  await expect
    .poll(async () => (await (await demo.api.get('/__demo/stats', { params: { actor: email } })).json()) as object)
    .toMatchObject({ routes: { 'GET /api/v1/tasks/:id/events': { count: 1, byStatus: { '200': 1 } } } });
});

test('a WebSocket reports a task until completed, then closes with 1000', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization);
  const { messages, code, reason } = await readMessages(socketUrl(demo, taskId), { authorization });

  expect({ code, reason }).toEqual({ code: 1000, reason: 'task finished' });
  expect(messages.at(-1)).toEqual({ type: 'completed', task: await readTask(demo, authorization, taskId) });
  for (const { type, task } of messages.slice(0, -1)) {
    expect({ type, status: task.status }).toEqual({
      type: 'progress',
      status: expect.stringMatching(/^(queued|processing)$/),
    });
  }
});

test('an API key authenticates the WebSocket upgrade as it does any request', async ({ startDemoApi }) => {
  const key = `stream-key-${randomUUID()}`;
  const demo = await startDemoApi({ DEMO_API_KEYS: `user=${key}` });
  const taskId = await submit(demo, `token ${key}`, { 'x-demo-scenario': 'fails' });
  const { messages, code } = await readMessages(socketUrl(demo, taskId), { 'x-api-key': key });
  expect(code).toBe(1000);
  expect(messages.at(-1)).toMatchObject({ type: 'failed', task: { status: 'failed' } });
});

test('the streams refuse before they start: 401 without credentials, 404 for the task of another user', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi();
  const owner = await demo.signUp();
  const other = await demo.signUp();
  const taskId = await submit(demo, owner.authorization, { 'x-demo-scenario': 'never-finishes' });
  const notFound = { code: 'TASK_NOT_FOUND', message: `No task ${taskId}.` };

  const events = await demo.api.get(`/api/v1/tasks/${taskId}/events`, {
    headers: { authorization: other.authorization },
  });
  expect(events.status()).toBe(404);
  expect(events.headers()['content-type']).toMatch(/^application\/json/);
  expect(await events.json()).toEqual(notFound);
  expect((await demo.api.get(`/api/v1/tasks/${taskId}/events`)).status()).toBe(401);

  expect(await refusalOf(socketUrl(demo, taskId), { authorization: other.authorization })).toEqual({
    status: 404,
    body: notFound,
  });
  expect(await refusalOf(socketUrl(demo, taskId), {})).toEqual({
    status: 401,
    body: { code: 'MISSING_TOKEN', message: expect.any(String) },
  });
});

test('a plain GET of the WebSocket route gets 426 UPGRADE_REQUIRED', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization);
  const response = await demo.api.get(`/api/v1/tasks/${taskId}/stream`, { headers: { authorization } });
  expect(response.status()).toBe(426);
  expect(response.headers()['upgrade']).toBe('websocket');
  expect(await response.json()).toMatchObject({ code: 'UPGRADE_REQUIRED' });
});

test('stream-drop breaks the event stream after the first progress event', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization, { 'x-demo-scenario': 'never-finishes' });
  const { status, events, ending } = await readEvents(eventsUrl(demo, taskId), {
    authorization,
    'x-demo-faults': 'stream-drop',
  });
  expect(status).toBe(200);
  expect(ending).toBe('broken');
  expect(events.map(({ id, event }) => ({ id, event }))).toEqual([{ id: '1', event: 'progress' }]);
});

test('stream-drop breaks the WebSocket after the first progress message, without a close frame', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'stream-drop' });
  const { authorization } = await demo.signUp();
  const taskId = await submit(demo, authorization, { 'x-demo-scenario': 'never-finishes' });
  const { messages, code } = await readMessages(socketUrl(demo, taskId), { authorization });
  expect(code).toBe(1006);
  expect(messages.map(({ type }) => type)).toEqual(['progress']);
});

test('the streams and the signing secret are counted under their routes', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization, email } = await demo.signUp();
  const taskId = await submit(demo, authorization);
  await readEvents(eventsUrl(demo, taskId), { authorization });
  await readMessages(socketUrl(demo, taskId), { authorization });
  await demo.api.get('/api/v1/webhooks/signing-secret', { headers: { authorization } });

  await expect
    .poll(async () => (await (await demo.api.get('/__demo/stats', { params: { actor: email } })).json()) as object)
    .toMatchObject({
      routes: {
        'GET /api/v1/tasks/:id/events': { count: 1, byStatus: { '200': 1 } },
        'GET /api/v1/tasks/:id/stream': { count: 1, byStatus: { '101': 1 } },
        'GET /api/v1/webhooks/signing-secret': { count: 1, byStatus: { '200': 1 } },
      },
    });
});
