import type { APIRequestContext } from '@playwright/test';
import { parseDemoConfig } from '../config';
import { expect, test, type DemoInstance } from './demo-fixtures';

type TaskBody = { status?: string; state?: string; createdAt: string; completedAt: string | null; error: unknown };

async function submitTask(api: APIRequestContext, authorization: string, prompt: string) {
  const response = await api.post('/api/v1/images/generations', { headers: { authorization }, data: { prompt } });
  expect(response.status()).toBe(202);
  return response.headers()['location']!;
}

async function readTask(api: APIRequestContext, authorization: string, location: string) {
  const response = await api.get(location, { headers: { authorization } });
  expect(response.status()).toBe(200);
  return (await response.json()) as TaskBody;
}

async function taskWhenFinished(api: APIRequestContext, authorization: string, location: string) {
  let task: TaskBody | undefined;
  await expect
    .poll(async () => {
      task = await readTask(api, authorization, location);
      return task.status;
    })
    .toMatch(/^(completed|failed)$/);
  return task!;
}

test('without faults a task completes with a completion timestamp', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const { authorization } = await demo.signUp();
  const task = await taskWhenFinished(demo.api, authorization, await submitTask(demo.api, authorization, 'a fox'));
  expect(task.status).toBe('completed');
  expect(Date.parse(task.completedAt!)).toBeGreaterThan(Date.parse(task.createdAt));
});

test('task-stuck keeps a task processing after its healthy twin completed', async ({ startDemoApi }) => {
  const stuck = await startDemoApi({ DEMO_FAULTS: 'task-stuck' });
  const healthy = await startDemoApi();
  const stuckUser = await stuck.signUp();
  const healthyUser = await healthy.signUp();
  // Same seed and prompt, so the same planned duration; the stuck task was submitted first.
  const stuckTask = await submitTask(stuck.api, stuckUser.authorization, 'a fox');
  const healthyTask = await submitTask(healthy.api, healthyUser.authorization, 'a fox');

  expect((await taskWhenFinished(healthy.api, healthyUser.authorization, healthyTask)).status).toBe('completed');
  expect((await readTask(stuck.api, stuckUser.authorization, stuckTask)).status).toBe('processing');
});

test('task-fails makes every task end as failed with an error', async ({ startDemoApi }) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'task-fails' });
  const { authorization } = await demo.signUp();
  const task = await taskWhenFinished(demo.api, authorization, await submitTask(demo.api, authorization, 'a fox'));
  expect(task.status).toBe('failed');
  expect(task.error).toEqual({ code: 'GENERATION_FAILED', message: expect.any(String) });
});

test('assets-never-ready keeps provisioning pending after its healthy twin is ready', async ({ startDemoApi }) => {
  const broken = await startDemoApi({ DEMO_FAULTS: 'assets-never-ready' });
  const healthy = await startDemoApi();
  // The same e-mail on both instances gives the same planned provisioning steps.
  const brokenUser = await broken.signUp('twin@demo.test');
  const healthyUser = await healthy.signUp('twin@demo.test');
  for (const [demo, user] of [
    [broken, brokenUser],
    [healthy, healthyUser],
  ] as const) {
    const join = await demo.api.post('/api/v1/enterprise/join', {
      headers: { authorization: user.authorization },
      data: { enterprise: 'Acme' },
    });
    expect(join.status()).toBe(200);
  }

  const assetsStatus = async (demo: DemoInstance, authorization: string) =>
    ((await (await demo.api.get('/api/v1/assets', { headers: { authorization } })).json()) as { status: string })
      .status;
  await expect.poll(() => assetsStatus(healthy, healthyUser.authorization)).toBe('ready');
  expect(await assetsStatus(broken, brokenUser.authorization)).toBe('provisioning');
  const login = await broken.api.post('/api/v1/auth/login', {
    data: { email: brokenUser.email, password: brokenUser.password },
  });
  expect(login.status()).toBe(403);
  expect(await login.json()).toMatchObject({ code: 'ASSETS_NOT_READY' });
});

test('login-500 answers a login during provisioning with 500 instead of 403', async ({ startDemoApi }) => {
  // Provisioning that never ends keeps the login "not ready" however slow this machine is.
  const demo = await startDemoApi({ DEMO_FAULTS: 'login-500,assets-never-ready' });
  const user = await demo.signUp();
  await demo.api.post('/api/v1/enterprise/join', {
    headers: { authorization: user.authorization },
    data: { enterprise: 'Acme' },
  });
  const login = await demo.api.post('/api/v1/auth/login', { data: { email: user.email, password: user.password } });
  expect(login.status()).toBe(500);
  expect(await login.json()).toMatchObject({ code: 'INTERNAL_ERROR' });
});

test('schema-drift renames the status field of a task to state', async ({ startDemoApi }) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'schema-drift' });
  const { authorization } = await demo.signUp();
  const task = await readTask(demo.api, authorization, await submitTask(demo.api, authorization, 'a fox'));
  expect(task).not.toHaveProperty('status');
  expect(task.state).toMatch(/^(queued|processing|completed)$/);
});

async function holdExports(demo: DemoInstance, count: number) {
  const { authorization } = await demo.signUp();
  const { holdId } = (await (await demo.api.post('/__demo/holds')).json()) as { holdId: string };
  const headers = { authorization, 'x-demo-hold': holdId };
  const held = Array.from({ length: count }, () =>
    demo.api.post('/api/v1/exports', { headers, data: { format: 'csv' } }),
  );
  await expect
    .poll(async () => (await (await demo.api.get(`/__demo/holds/${holdId}`)).json()) as { waiting: number })
    .toEqual({ holdId, waiting: count });
  const release = async () => {
    await demo.api.post(`/__demo/holds/${holdId}/release`);
    return (await Promise.all(held)).map((response) => response.status());
  };
  return { headers, release };
}

test('without faults the export beyond the limit gets 429 while the others are held', async ({ startDemoApi }) => {
  const demo = await startDemoApi({ DEMO_THROTTLE_LIMIT: '3' });
  const { headers, release } = await holdExports(demo, 3);
  const beyondLimit = await demo.api.post('/api/v1/exports', {
    headers: { authorization: headers.authorization },
    data: { format: 'csv' },
  });
  expect(beyondLimit.status()).toBe(429);
  expect(await release()).toEqual([200, 200, 200]);
});

test('throttle-off lets more exports than the limit run at once', async ({ startDemoApi }) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'throttle-off', DEMO_THROTTLE_LIMIT: '3' });
  const { release } = await holdExports(demo, 4);
  expect(await release()).toEqual([200, 200, 200, 200]);
});

test('slow multiplies every duration by three and is not a bug', async ({ startDemoApi }) => {
  const slow = await startDemoApi({ DEMO_FAULTS: 'slow' });
  const normal = await startDemoApi();
  const durationOf = async (demo: DemoInstance) => {
    const { authorization } = await demo.signUp();
    const task = await taskWhenFinished(demo.api, authorization, await submitTask(demo.api, authorization, 'a fox'));
    expect(task.status).toBe('completed');
    return Date.parse(task.completedAt!) - Date.parse(task.createdAt);
  };
  const [slowMs, normalMs] = await Promise.all([durationOf(slow), durationOf(normal)]);
  expect(slowMs / normalMs).toBeCloseTo(3, 1);
});

test('an unknown fault name is refused with the list of known ones', () => {
  expect(() => parseDemoConfig({ DEMO_FAULTS: 'task-stuck,typo' })).toThrow(
    /^Invalid demo API setting DEMO_FAULTS: expected a comma list of task-stuck, .*throttle-off, .*stream-drop, slow/,
  );
});

test('x-demo-faults switches a fault on for one request only', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const user = await demo.signUp();
  await demo.api.post('/api/v1/enterprise/join', {
    headers: { authorization: user.authorization, 'x-demo-faults': 'assets-never-ready' },
    data: { enterprise: 'Acme' },
  });
  const credentials = { email: user.email, password: user.password };
  const withFault = await demo.api.post('/api/v1/auth/login', {
    data: credentials,
    headers: { 'x-demo-faults': 'login-500' },
  });
  const withoutFault = await demo.api.post('/api/v1/auth/login', { data: credentials });
  expect([withFault.status(), withoutFault.status()]).toEqual([500, 403]);

  const unknown = await demo.api.get('/health', { headers: { 'x-demo-faults': 'typo' } });
  expect(unknown.status()).toBe(400);
  expect(await unknown.json()).toMatchObject({ message: expect.stringMatching(/^x-demo-faults: unknown fault typo/) });
});
