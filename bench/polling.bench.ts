import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import { byStatusField, retryAfterMs } from '../helpers/readiness/classifiers';
import { parse } from '../helpers/contracts/check';
import { ImageGenerationEvent, SigningSecret, Task, TaskAccepted, TaskEvent } from '../api/contracts';
import type { AuthSource } from '../helpers/http/client';
import { waitForStreamEvent } from '../helpers/push/subscriptions';
import { type WebhookInbox, waitForWebhook } from '../helpers/push/webhooks';
import { InMemoryHistory } from '../helpers/readiness/history';
import { waitUntilReady } from '../helpers/readiness/wait';
import { mean, percentile } from '../helpers/reports/statistics';
import { expect, test } from '../fixtures';

// Every strategy waits for the same seeded set of tasks: the demo API derives a task's duration from
// its prompt, so task i takes as long under every strategy. Waits run concurrently, as in a suite.
const TASKS = 100;
const WARM_UP_TASKS = 40;
const CONCURRENCY = 30;
const SLA_MS = 60_000;

type Strategy =
  'playwright-default' | 'fixed-1s' | 'seed-exponential' | 'helper' | 'helper-retry-after' | 'webhook' | 'sse';
type Measurement = { waitAfterReadyMs: number; requests: number };
type Wait = (
  taskId: string,
  submitted: { headers(): Record<string, string> },
  callback: WebhookInbox | undefined,
) => Promise<Measurement>;

test('polling strategies: wait after readiness and requests per wait', async ({
  playwright,
  _roleSessions,
  _webhookReceiver,
  env,
}) => {
  const header = await _roleSessions.of(env.defaultRole)?.header();
  const api = await playwright.request.newContext({
    baseURL: env.baseURL,
    extraHTTPHeaders: header ? { [header.name]: header.value } : {},
  });
  const histories = { helper: new InMemoryHistory(), 'helper-retry-after': new InMemoryHistory() };
  const { secret } = await parse(await api.get('/api/v1/webhooks/signing-secret'), SigningSecret);

  const strategies: Record<Strategy, Wait> = {
    'playwright-default': (taskId) => pollWithIntervals(api, taskId, undefined),
    'fixed-1s': (taskId) => pollWithIntervals(api, taskId, [1_000]),
    'seed-exponential': (taskId) => pollWithIntervals(api, taskId, [1_000, 2_000, 4_000, 8_000, 10_000]),
    helper: (taskId) => pollWithHelper(api, taskId, histories.helper, undefined),
    'helper-retry-after': (taskId, submitted) =>
      pollWithHelper(api, taskId, histories['helper-retry-after'], retryAfterMs(submitted.headers())),
    webhook: (taskId, _submitted, callback) => waitForCallback(callback!, taskId, secret),
    sse: (taskId) => followEvents(env.baseURL, _roleSessions.of(env.defaultRole), taskId),
  };

  // As if from the history file of an earlier run: the helper knows a few waits of this operation.
  await inPool(
    (['helper', 'helper-retry-after'] as const).flatMap((strategy) =>
      range(WARM_UP_TASKS).map((i) => () => submitAndWait(api, `bench warm-up ${i}`, strategies[strategy])),
    ),
  );

  const jobs = (Object.keys(strategies) as Strategy[]).flatMap((strategy) =>
    range(TASKS).map((i) => async () => ({
      strategy,
      ...(await submitAndWait(
        api,
        `bench task ${i}`,
        strategies[strategy],
        strategy === 'webhook' ? _webhookReceiver.openInbox(`bench-task-${i}`) : undefined,
      )),
    })),
  );
  const results = await inPool(shuffled(jobs));
  await api.dispose();

  const rows = (Object.keys(strategies) as Strategy[]).map((strategy) => {
    const mine = results.filter((result) => result.strategy === strategy);
    const waits = mine.map((result) => result.waitAfterReadyMs);
    return {
      strategy,
      meanWaitAfterReadyMs: Math.round(mean(waits)),
      p95WaitAfterReadyMs: Math.round(percentile(waits, 95)),
      meanRequests: Math.round(mean(mine.map((result) => result.requests)) * 100) / 100,
    };
  });
  const baseline = rows.find((row) => row.strategy === 'playwright-default')!;
  console.log(`\n${TASKS} image generation tasks per strategy against ${env.baseURL}:`);
  console.table(
    rows.map((row) => ({
      ...row,
      'wait vs default': ratio(row.meanWaitAfterReadyMs, baseline.meanWaitAfterReadyMs),
      'requests vs default': ratio(row.meanRequests, baseline.meanRequests),
    })),
  );
  const out = path.join(__dirname, 'results', 'polling.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`Written to ${path.relative(process.cwd(), out)}`);
});

async function submitAndWait(
  api: APIRequestContext,
  prompt: string,
  wait: Wait,
  callback?: WebhookInbox,
): Promise<Measurement> {
  const data = callback ? { prompt, callbackUrl: callback.url } : { prompt };
  const submitted = await api.post('/api/v1/images/generations', { data });
  expect(submitted.status()).toBe(202);
  const { taskId } = await parse(submitted, TaskAccepted);
  return wait(taskId, submitted, callback);
}

/** Playwright's expect.poll on a fixed list of intervals (its default when undefined). */
async function pollWithIntervals(api: APIRequestContext, taskId: string, intervals: number[] | undefined) {
  let requests = 0;
  let seenAt = 0;
  let task: Task | undefined;
  await expect
    .poll(
      async () => {
        requests += 1;
        task = await parse(await api.get(`/api/v1/tasks/${taskId}`), Task);
        seenAt = Date.now();
        return task.status;
      },
      { timeout: SLA_MS, ...(intervals ? { intervals } : {}) },
    )
    .toBe('completed');
  return { waitAfterReadyMs: seenAt - completedAt(task!), requests };
}

async function pollWithHelper(
  api: APIRequestContext,
  taskId: string,
  history: InMemoryHistory,
  initialRetryAfterMs: number | undefined,
) {
  let seenAt = 0;
  const { value, record } = await waitUntilReady({
    operation: 'image generation',
    subject: `task ${taskId}`,
    slaMs: SLA_MS,
    history,
    initialRetryAfterMs,
    honourRetryAfter: initialRetryAfterMs !== undefined,
    probe: async ({ timeoutMs }) => {
      const response = await api.get(`/api/v1/tasks/${taskId}`, { timeout: timeoutMs });
      seenAt = Date.now();
      return response;
    },
    classify: byStatusField({ schema: Task }),
  });
  return { waitAfterReadyMs: seenAt - completedAt(value), requests: record.attempts };
}

/** The task's webhook: no request after the submission; seen when it is received. */
async function waitForCallback(callback: WebhookInbox, taskId: string, secret: string): Promise<Measurement> {
  try {
    const { record } = await waitForWebhook({
      operation: 'image generation',
      subject: `task ${taskId}`,
      slaMs: SLA_MS,
      inbox: callback,
      secret,
      schema: ImageGenerationEvent,
      match: (event) => event.data.taskId === taskId,
    });
    return { waitAfterReadyMs: record.receivedAfterCompletionMs!, requests: 0 };
  } finally {
    callback.close();
  }
}

/** Server-sent events: no polls; the wait after readiness is how late the completed event arrives. */
async function followEvents(baseURL: string, auth: AuthSource | undefined, taskId: string): Promise<Measurement> {
  const { record } = await waitForStreamEvent({
    channel: 'sse',
    url: new URL(`/api/v1/tasks/${taskId}/events`, baseURL),
    auth,
    operation: 'image generation',
    subject: `task ${taskId}`,
    slaMs: SLA_MS,
    schema: TaskEvent,
    isTerminal: ({ event }) => event !== 'progress',
    isFailure: ({ event }) => event === 'failed',
    completedAt: ({ data }) => data.completedAt,
  });
  return { waitAfterReadyMs: record.receivedAfterCompletionMs!, requests: 0 };
}

function completedAt(task: Task): number {
  expect(task.status).toBe('completed');
  return Date.parse(task.completedAt!);
}

async function inPool<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      results.push(await job());
    }
  };
  await Promise.all(range(CONCURRENCY).map(worker));
  return results;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

// Interleaves the strategies so that none of them gets a quieter moment of the server.
function shuffled<T>(items: T[]): T[] {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return items
    .map((item) => ({ item, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}×`;
}
