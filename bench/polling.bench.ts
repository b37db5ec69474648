import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, PlaywrightWorkerArgs } from '@playwright/test';
import { ImageGenerationEvent, SigningSecret, Task, TaskAccepted, TaskEvent } from '../api/contracts';
import { parse } from '../helpers/contracts/check';
import type { Env } from '../helpers/env';
import { roleAuth } from '../helpers/http/auth';
import type { AuthSource } from '../helpers/http/client';
import { waitForStreamEvent } from '../helpers/push/streams/wait';
import type { WebhookInbox } from '../helpers/push/webhooks/receiver';
import { waitForWebhook } from '../helpers/push/webhooks/wait';
import { byStatusField, retryAfterMs } from '../helpers/readiness/classifiers';
import { InMemoryHistory } from '../helpers/readiness/history';
import { waitUntilReady } from '../helpers/readiness/wait';
import { mean, percentile } from '../helpers/reports/statistics';
import { Redactor } from '../helpers/secrets/redactor';
import { expect, test } from '../fixtures';
import { benchServerPort, benchServers } from './servers';

// Every strategy waits for the same seeded durations: the demo API derives a task's duration from its
// prompt. Playwright's default intervals are the baseline of every ratio. Each wait is an expect.poll,
// and a poll costs more the more expect.poll calls its test has made: the work is cut into tests of a
// few hundred waits, run in order in one worker, and the figures come last.
const SLA_MS = 60_000;
const WARM_UP_TASKS = 40;

// Without queueing: 100 tasks per strategy, the strategies' waits shuffled together, 30 at a time.
const TASKS = 100;
const CONCURRENCY = 30;
const CHUNK = 100;

// With queueing: every task is watched by every strategy at once (the same task, the same queue, the
// same moment of readiness), in rounds of 100 tasks. Ten tasks are in flight on the server: the next
// one is submitted when one is done (its webhook says when), however slow the watchers.
const QUEUE_ROUNDS = 3;
const QUEUE_TASKS_PER_ROUND = 100;
const QUEUE_IN_FLIGHT = 10;

type Measurement = { waitAfterReadyMs: number; requests: number };
type Result = Measurement & { strategy: string };
type Row = {
  strategy: string;
  meanWaitAfterReadyMs: number;
  p95WaitAfterReadyMs: number;
  meanRequests: number;
  waitVsDefault: number;
  requestsVsDefault: number;
  /** The wait ratio of each round, where there are rounds. */
  waitVsDefaultByRound?: number[];
};
/** A demo API instance of the benchmark, with a client of the default role. */
type Server = { baseURL: string; api: APIRequestContext; auth: AuthSource | undefined; settings: unknown };
type Receiver = { openInbox(name: string): WebhookInbox };

// The classifier as a test would write it: each status a phase, the queue position read where it is given.
const classify = byStatusField({ schema: Task, queuePositionField: 'queuePosition' });

const STRATEGIES = [
  'playwright-default',
  'fixed-1s',
  'seed-exponential',
  'helper',
  'helper-retry-after',
  'webhook',
  'sse',
] as const;
type Strategy = (typeof STRATEGIES)[number];

/** What the demo sends each helper in Retry-After (x-demo-retry-after); the default ignores it anyway. */
const QUEUE_HINTS = {
  'playwright-default': undefined,
  'helper, no hint': 'none',
  'helper, Retry-After: 1': '1',
  'helper, computed Retry-After': 'estimate',
} as const;
type QueueStrategy = keyof typeof QUEUE_HINTS;
const QUEUE_STRATEGIES = Object.keys(QUEUE_HINTS) as QueueStrategy[];
const QUEUE_HELPERS = QUEUE_STRATEGIES.filter((name) => QUEUE_HINTS[name] !== undefined);

// What the tests learn and measure, in the order they run.
const histories = new Map<string, InMemoryHistory>();
const historyOf = (name: string) => histories.get(name) ?? histories.set(name, new InMemoryHistory()).get(name)!;
const withoutQueueing: Result[] = [];
const withQueueing: Result[][] = [];

test.describe.configure({ mode: 'serial' });

test.describe('polling strategies: wait after readiness and requests per wait', () => {
  test.skip(({ env }) => !env.embeddedApi, 'it measures the demo API on instances of its own: unset BASE_URL');

  test('without queueing: the helpers learn 40 waits', async ({ playwright, env }) => {
    await onServer(playwright, env, 'without queueing', async (server) => {
      const strategies = await strategiesWithoutQueueing(server);
      const helpers = ['helper', 'helper-retry-after'] as const;
      const jobs = helpers.flatMap((name) =>
        range(WARM_UP_TASKS).map((i) => () => submitAndWait(server, `bench warm-up ${i}`, strategies[name])),
      );
      await inPool(CONCURRENCY, jobs);
    });
  });

  // Every strategy's tasks, shuffled together, then cut in chunks.
  const jobsWithoutQueueing = shuffled(STRATEGIES.flatMap((strategy) => range(TASKS).map((i) => ({ strategy, i }))));
  for (const chunk of range(jobsWithoutQueueing.length / CHUNK)) {
    const jobs = jobsWithoutQueueing.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
    test(`without queueing: waits ${chunk * CHUNK + 1}–${(chunk + 1) * CHUNK}`, async ({
      playwright,
      env,
      _webhookReceiver,
    }) => {
      await onServer(playwright, env, 'without queueing', async (server) => {
        const strategies = await strategiesWithoutQueueing(server);
        const results = await inPool(
          CONCURRENCY,
          jobs.map(({ strategy, i }) => async () => {
            const callback = strategy === 'webhook' ? _webhookReceiver.openInbox(`bench-task-${i}`) : undefined;
            return { strategy, ...(await submitAndWait(server, `bench task ${i}`, strategies[strategy], callback)) };
          }),
        );
        withoutQueueing.push(...results);
      });
    });
  }

  test('with queueing: the helpers learn 40 waits', async ({ playwright, env, _webhookReceiver }) => {
    await onServer(playwright, env, 'queueing', async (server) => {
      const prompts = range(WARM_UP_TASKS).map((i) => `queue warm-up ${i}`);
      await keepInFlight(server, _webhookReceiver, prompts, QUEUE_HELPERS);
    });
  });

  for (const round of range(QUEUE_ROUNDS)) {
    test(`with queueing: round ${round + 1}`, async ({ playwright, env, _webhookReceiver }) => {
      await onServer(playwright, env, 'queueing', async (server) => {
        const prompts = range(QUEUE_TASKS_PER_ROUND).map((i) => `queue round ${round} task ${i}`);
        withQueueing.push(await keepInFlight(server, _webhookReceiver, prompts, QUEUE_STRATEGIES));
      });
    });
  }

  test('figures', async ({ env }) => {
    const free = rowsOf(STRATEGIES, of(withoutQueueing), []);
    console.log(`\nWithout queueing: ${TASKS} image generation tasks per strategy, ${CONCURRENCY} at a time.`);
    console.table(printable(free));

    const busy = rowsOf(QUEUE_STRATEGIES, of(withQueueing.flat()), withQueueing.map(of));
    const { DEMO_WORKER_SLOTS, DEMO_TASK_MEDIAN_MS, DEMO_TASK_P95_MS } = benchServers()['queueing']!.settings;
    console.log(
      `\nWith queueing: ${QUEUE_ROUNDS} rounds of ${QUEUE_TASKS_PER_ROUND} tasks, ${QUEUE_IN_FLIGHT} in flight on ` +
        `${DEMO_WORKER_SLOTS} worker slots (median ${DEMO_TASK_MEDIAN_MS} ms, p95 ${DEMO_TASK_P95_MS} ms); ` +
        'every task watched by every strategy.',
    );
    console.table(printable(busy));

    const out = path.join(__dirname, 'results', 'polling.json');
    mkdirSync(path.dirname(out), { recursive: true });
    const servers = Object.fromEntries(
      Object.entries(benchServers()).map(([name, server]) => [name, { port: benchServerPort(env, name), ...server }]),
    );
    writeFileSync(out, `${JSON.stringify({ servers, withoutQueueing: free, withQueueing: busy }, null, 2)}\n`);
    console.log(`Written to ${path.relative(process.cwd(), out)}`);
  });
});

/** Runs `body` with a client of the default role on a bench server, checked to have its scenario's settings. */
async function onServer(
  playwright: PlaywrightWorkerArgs['playwright'],
  env: Env,
  name: string,
  body: (server: Server) => Promise<void>,
) {
  const baseURL = `http://127.0.0.1:${benchServerPort(env, name)}`;
  const logins = await playwright.request.newContext({ baseURL });
  const auth = roleAuth(logins, env, env.defaultRole, new Redactor());
  const header = await auth?.header();
  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: header ? { [header.name]: header.value } : {},
  });
  try {
    const settings: unknown = await (await api.get('/__demo/config')).json();
    expect(settings, `the ${name} instance runs with its settings`).toMatchObject(
      configOf(benchServers()[name]!.settings),
    );
    await body({ baseURL, api, auth, settings });
  } finally {
    await Promise.all([api.dispose(), logins.dispose()]);
  }
}

// ---------------------------------------------------------------------------------------------
// Without queueing: the scenario the helper was first measured on

type Wait = (
  taskId: string,
  submitted: { headers(): Record<string, string> },
  callback: WebhookInbox | undefined,
) => Promise<Measurement>;

async function strategiesWithoutQueueing(server: Server): Promise<Record<Strategy, Wait>> {
  const { api } = server;
  const { secret } = await parse(await api.get('/api/v1/webhooks/signing-secret'), SigningSecret);
  return {
    'playwright-default': (taskId) => pollWithIntervals(api, taskId, undefined),
    'fixed-1s': (taskId) => pollWithIntervals(api, taskId, [1_000]),
    'seed-exponential': (taskId) => pollWithIntervals(api, taskId, [1_000, 2_000, 4_000, 8_000, 10_000]),
    helper: (taskId) => pollWithHelper(api, taskId, { history: historyOf('helper'), hint: 'ignored' }),
    'helper-retry-after': (taskId, submitted) =>
      pollWithHelper(api, taskId, {
        history: historyOf('helper-retry-after'),
        hint: 'estimate',
        initialRetryAfterMs: retryAfterMs(submitted.headers()),
      }),
    webhook: (taskId, _submitted, callback) => waitForCallback(callback!, taskId, secret),
    sse: (taskId) => followEvents(server, taskId),
  };
}

async function submitAndWait(server: Server, prompt: string, wait: Wait, callback?: WebhookInbox) {
  const data = callback ? { prompt, callbackUrl: callback.url } : { prompt };
  const submitted = await server.api.post('/api/v1/images/generations', { data });
  expect(submitted.status()).toBe(202);
  const { taskId } = await parse(submitted, TaskAccepted);
  return wait(taskId, submitted, callback);
}

// ---------------------------------------------------------------------------------------------
// With queueing: the same tasks watched by every strategy at once

/** Keeps ten tasks in flight on the server until all are submitted; then waits for every watcher. */
async function keepInFlight(
  server: Server,
  receiver: Receiver,
  prompts: string[],
  watchers: readonly QueueStrategy[],
): Promise<Result[]> {
  const measured: Array<Promise<Result[]>> = [];
  await inPool(
    QUEUE_IN_FLIGHT,
    prompts.map((prompt) => async () => {
      const task = await watchTask(server, receiver, prompt, watchers);
      measured.push(task.measured);
      await task.done;
    }),
  );
  return (await Promise.all(measured)).flat();
}

/** Submits a task; `done` resolves when the server says it is, `measured` when every watcher saw it. */
async function watchTask(server: Server, receiver: Receiver, prompt: string, watchers: readonly QueueStrategy[]) {
  const { api } = server;
  const inbox = receiver.openInbox(prompt);
  // The submission asks for the demo's computed hint; a constant one would say 1 s.
  const submitted = await api.post('/api/v1/images/generations', {
    data: { prompt, callbackUrl: inbox.url },
    headers: { 'x-demo-retry-after': 'estimate' },
  });
  expect(submitted.status()).toBe(202);
  const { taskId } = await parse(submitted, TaskAccepted);
  const computedHint = retryAfterMs(submitted.headers());
  const done = (async () => {
    while (inbox.deliveries.length === 0) await inbox.nextArrival();
    inbox.close();
  })();
  const measured = Promise.all(
    shuffled([...watchers], prompt).map(async (strategy): Promise<Result> => {
      const hint = QUEUE_HINTS[strategy];
      const measurement =
        hint === undefined
          ? await pollWithIntervals(api, taskId, undefined)
          : await pollWithHelper(api, taskId, {
              history: historyOf(strategy),
              hint,
              initialRetryAfterMs: { none: undefined, '1': 1_000, estimate: computedHint }[hint],
            });
      return { strategy, ...measurement };
    }),
  );
  return { done, measured };
}

// ---------------------------------------------------------------------------------------------
// The ways of waiting

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

/**
 * waitUntilReady, learning from its own history. `hint` is what the demo sends it (`ignored`: the
 * demo's computed hint, set aside with honourRetryAfter: false).
 */
async function pollWithHelper(
  api: APIRequestContext,
  taskId: string,
  options: { history: InMemoryHistory; hint: 'ignored' | 'none' | '1' | 'estimate'; initialRetryAfterMs?: number },
) {
  let seenAt = 0;
  const headers: Record<string, string> = options.hint === 'ignored' ? {} : { 'x-demo-retry-after': options.hint };
  const { value, record } = await waitUntilReady({
    operation: 'image generation',
    subject: `task ${taskId}`,
    slaMs: SLA_MS,
    history: options.history,
    initialRetryAfterMs: options.initialRetryAfterMs,
    honourRetryAfter: options.hint !== 'ignored',
    probe: async ({ timeoutMs }) => {
      const response = await api.get(`/api/v1/tasks/${taskId}`, { timeout: timeoutMs, headers });
      seenAt = Date.now();
      return response;
    },
    classify,
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
async function followEvents(server: Server, taskId: string): Promise<Measurement> {
  const { record } = await waitForStreamEvent({
    channel: 'sse',
    url: new URL(`/api/v1/tasks/${taskId}/events`, server.baseURL),
    auth: server.auth,
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

// ---------------------------------------------------------------------------------------------
// Figures

type Of = (strategy: string) => Measurement[];
const of =
  (results: Result[]): Of =>
  (strategy) =>
    results.filter((result) => result.strategy === strategy);

function rowsOf(strategies: readonly string[], all: Of, rounds: Of[]): Row[] {
  const waitOf = (measurements: Measurement[]) => mean(measurements.map((result) => result.waitAfterReadyMs));
  const requestsOf = (measurements: Measurement[]) => mean(measurements.map((result) => result.requests));
  const baseline = all('playwright-default');
  return strategies.map((strategy) => {
    const mine = all(strategy);
    const byRound = rounds.map((round) => round2(waitOf(round(strategy)) / waitOf(round('playwright-default'))));
    return {
      strategy,
      meanWaitAfterReadyMs: Math.round(waitOf(mine)),
      p95WaitAfterReadyMs: Math.round(
        percentile(
          mine.map((result) => result.waitAfterReadyMs),
          95,
        ),
      ),
      meanRequests: round2(requestsOf(mine)),
      waitVsDefault: round2(waitOf(mine) / waitOf(baseline)),
      requestsVsDefault: round2(requestsOf(mine) / requestsOf(baseline)),
      ...(rounds.length > 0 ? { waitVsDefaultByRound: byRound } : {}),
    };
  });
}

function printable(rows: Row[]) {
  return rows.map((row) => ({
    strategy: row.strategy,
    'mean wait after ready': `${row.meanWaitAfterReadyMs} ms`,
    p95: `${row.p95WaitAfterReadyMs} ms`,
    requests: row.meanRequests,
    'wait vs default': `${row.waitVsDefault.toFixed(2)}×`,
    ...(row.waitVsDefaultByRound
      ? { 'by round': row.waitVsDefaultByRound.map((ratio) => `${ratio.toFixed(2)}×`).join(' ') }
      : {}),
    'requests vs default': `${row.requestsVsDefault.toFixed(2)}×`,
  }));
}

/** What /__demo/config says of these settings. */
function configOf(settings: Record<string, string>) {
  const fields = {
    DEMO_WORKER_SLOTS: 'workerSlots',
    DEMO_TASK_MEDIAN_MS: 'taskMedianMs',
    DEMO_TASK_P95_MS: 'taskP95Ms',
  };
  return Object.fromEntries(
    Object.entries(fields).flatMap(([key, field]) => (settings[key] ? [[field, Number(settings[key])]] : [])),
  );
}

// ---------------------------------------------------------------------------------------------

async function inPool<T>(concurrency: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      results.push(await job());
    }
  };
  await Promise.all(range(concurrency).map(worker));
  return results;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

const round2 = (value: number) => Math.round(value * 100) / 100;

// Interleaves the strategies so that none of them gets a quieter moment of the server (or, among the
// watchers of one task, the first request).
function shuffled<T>(items: T[], seedText = ''): T[] {
  let seed = 7;
  for (const char of seedText) seed = (seed * 31 + char.charCodeAt(0)) % 2 ** 31;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return items
    .map((item) => ({ item, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}
