import { type APIRequestContext } from '@playwright/test';
import { parseDemoConfig } from '../config';
import { expect, test } from './demo-fixtures';

type TaskBody = { id: string; status: string; queuePosition: number | null; completedAt: string | null };

async function submit(api: APIRequestContext, authorization: string, prompt: string, scenario = 'completes') {
  const response = await api.post('/api/v1/images/generations', {
    headers: { authorization, 'x-demo-scenario': scenario },
    data: { prompt },
  });
  expect(response.status()).toBe(202);
  const { taskId, status } = (await response.json()) as { taskId: string; status: string };
  return { taskId, status, retryAfter: response.headers()['retry-after'] };
}

async function read(api: APIRequestContext, authorization: string, taskId: string, headers = {}) {
  const response = await api.get(`/api/v1/tasks/${taskId}`, { headers: { authorization, ...headers } });
  expect(response.status()).toBe(200);
  return { task: (await response.json()) as TaskBody, retryAfter: response.headers()['retry-after'] };
}

test('tasks beyond the worker slots wait queued, in order, each with its place in the queue', async ({
  startDemoApi,
}) => {
  // Tasks of seconds: nothing moves while the test reads them.
  const demo = await startDemoApi({ DEMO_WORKER_SLOTS: '2', DEMO_LATENCY_SCALE: '10' });
  const { authorization } = await demo.signUp();
  const submitted = [];
  for (const prompt of ['first', 'second', 'third', 'fourth'])
    submitted.push(await submit(demo.api, authorization, prompt));
  // Accepted means queued, whether a worker takes the task at once or not.
  expect(submitted.map((task) => task.status)).toEqual(['queued', 'queued', 'queued', 'queued']);

  const tasks = await Promise.all(
    submitted.map(async ({ taskId }) => (await read(demo.api, authorization, taskId)).task),
  );
  expect(tasks.map(({ status, queuePosition }) => [status, queuePosition])).toEqual([
    ['processing', null],
    ['processing', null],
    ['queued', 1],
    ['queued', 2],
  ]);
});

test('a queued task is taken by the first slot that frees: it starts when the task before it is done', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi({ DEMO_WORKER_SLOTS: '1', DEMO_LATENCY_SCALE: '3' });
  const { authorization } = await demo.signUp();
  const first = await submit(demo.api, authorization, 'first in line');
  const second = await submit(demo.api, authorization, 'second in line');
  expect((await read(demo.api, authorization, second.taskId)).task).toMatchObject({
    status: 'queued',
    queuePosition: 1,
  });

  await expect
    .poll(async () => (await read(demo.api, authorization, first.taskId)).task.status, { intervals: [20] })
    .toBe('completed');
  // Durations are at least 1.4 s here: the second one has only just started.
  const { task } = await read(demo.api, authorization, second.taskId);
  expect(task).toMatchObject({ status: 'processing', queuePosition: null });
});

test('a task that never finishes keeps its slot only as long as a task takes: the queue moves on', async ({
  startDemoApi,
}) => {
  const demo = await startDemoApi({ DEMO_WORKER_SLOTS: '1' });
  const { authorization } = await demo.signUp();
  const stuck = await submit(demo.api, authorization, 'lost by its worker', 'never-finishes');
  const behind = await submit(demo.api, authorization, 'behind the lost one');

  await expect
    .poll(async () => (await read(demo.api, authorization, behind.taskId)).task.status, { intervals: [20] })
    .toBe('completed');
  expect((await read(demo.api, authorization, stuck.taskId)).task.status).toBe('processing');
});

test('Retry-After is whole seconds: estimated from the place in the queue, a constant, or none', async ({
  startDemoApi,
}) => {
  // One slot, tasks of 1.8–3.2 s, typically 2.4 s: the one processing is expected done in 2 s (2.4 s less
  // the little it has run, to the nearest second), the next two in 2.4 + 2.4 and 2 × 2.4 + 2.4 s.
  const settings = { DEMO_WORKER_SLOTS: '1', DEMO_LATENCY_SCALE: '1', DEMO_TASK_MEDIAN_MS: '2400' };
  const estimating = await startDemoApi({ ...settings, DEMO_TASK_P95_MS: '3000' });
  const { authorization } = await estimating.signUp();
  const tasks = [];
  for (const prompt of ['a', 'b', 'c']) tasks.push(await submit(estimating.api, authorization, prompt));
  expect(tasks.map((task) => task.retryAfter)).toEqual(['2', '5', '7']);
  const hints = [];
  for (const { taskId } of tasks) hints.push((await read(estimating.api, authorization, taskId)).retryAfter);
  expect(hints).toEqual(['2', '5', '7']);
  // Asked per request, as a test control: none, or a constant.
  const { taskId } = tasks[2]!;
  expect((await read(estimating.api, authorization, taskId, { 'x-demo-retry-after': 'none' })).retryAfter).toBe(
    undefined,
  );
  expect((await read(estimating.api, authorization, taskId, { 'x-demo-retry-after': '1' })).retryAfter).toBe('1');
  const wrong = await estimating.api.get(`/api/v1/tasks/${taskId}`, {
    headers: { authorization, 'x-demo-retry-after': 'soon' },
  });
  expect(wrong.status()).toBe(400);
  expect(await wrong.json()).toMatchObject({
    code: 'INVALID_REQUEST',
    message: expect.stringContaining('x-demo-retry-after'),
  });

  for (const [mode, expected] of [
    ['1', '1'],
    ['none', undefined],
  ] as const) {
    const demo = await startDemoApi({ ...settings, DEMO_RETRY_AFTER: mode });
    const user = await demo.signUp();
    const { retryAfter, taskId: id } = await submit(demo.api, user.authorization, 'a');
    expect(retryAfter).toBe(expected);
    expect((await read(demo.api, user.authorization, id)).retryAfter).toBe(expected);
  }
});

test('a finished task answers no Retry-After', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const { taskId } = await submit(demo.api, authorization, 'quick');
  await expect
    .poll(async () => (await read(demo.api, authorization, taskId)).task.status, { intervals: [20] })
    .toBe('completed');
  expect((await read(demo.api, authorization, taskId)).retryAfter).toBeUndefined();
});

test('the queue settings are checked, naming the key', () => {
  expect(() => parseDemoConfig({ DEMO_WORKER_SLOTS: '0' })).toThrow(
    'Invalid demo API setting DEMO_WORKER_SLOTS: Too small: expected number to be >0, got "0".',
  );
  expect(() => parseDemoConfig({ DEMO_RETRY_AFTER: 'soon' })).toThrow(
    'Invalid demo API setting DEMO_RETRY_AFTER: expected estimate, none or a whole number of seconds, got "soon".',
  );
  expect(() => parseDemoConfig({ DEMO_TASK_MEDIAN_MS: '800', DEMO_TASK_P95_MS: '700' })).toThrow(
    'Invalid demo API setting DEMO_TASK_P95_MS: expected more than DEMO_TASK_MEDIAN_MS (800), got "700".',
  );
  expect(parseDemoConfig({ DEMO_WORKER_SLOTS: '2', DEMO_RETRY_AFTER: '1' })).toMatchObject({
    workerSlots: 2,
    retryAfter: { kind: 'constant', seconds: 1 },
    taskMedianMs: 1_200,
    taskP95Ms: 2_500,
  });
});
