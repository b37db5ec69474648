import { z } from 'zod';
import { ImageGenerationEvent, SigningSecret, Task, TaskAccepted } from '../../../api/contracts';
import { type ApiClient, expect, parse, test } from './demo';
import { WebhookWaitError } from '../../../helpers/push/webhooks/wait';
import { byStatusField, whenBody } from '../../../helpers/readiness/classifiers';

// Submit with a callbackUrl, then wait for the signed webhook instead of polling. The demo API
// misbehaves on request, per generation, with x-demo-faults: the rest of the suite is unaffected.
type Fault = 'webhook-lost' | 'webhook-duplicate' | 'webhook-bad-signature' | 'webhook-late';

async function submitGeneration(
  api: ApiClient,
  prompt: string,
  callbackUrl: string,
  headers: { 'x-demo-faults'?: Fault; 'x-demo-scenario'?: 'never-finishes' } = {},
) {
  const response = await api.post('/api/v1/images/generations', {
    data: { prompt, size: '512x512', callbackUrl },
    headers,
  });
  await expect(response).toHaveStatus(202);
  return (await parse(response, TaskAccepted)).taskId;
}

async function signingSecret(api: ApiClient) {
  return (await parse(await api.get('/api/v1/webhooks/signing-secret'), SigningSecret)).secret;
}

/** What waiting for a task's webhook means: the event of that task, signed with the account's secret. */
function taskWebhook(taskId: string, secret: string) {
  return {
    operation: 'image generation',
    subject: `task ${taskId}`,
    secret,
    schema: ImageGenerationEvent,
    match: (event: ImageGenerationEvent) => event.data.taskId === taskId,
    describe: (event: ImageGenerationEvent) => `${event.type} of task ${event.data.taskId}`,
  };
}

/** The fallback: a slow poll of the task, where a failed task is done too (its webhook is due as well). */
function taskPoll(api: ApiClient, taskId: string) {
  return {
    probe: ({ timeoutMs }: { timeoutMs: number }) => api.get(`/api/v1/tasks/${taskId}`, { timeout: timeoutMs }),
    classify: byStatusField({ schema: Task, ready: ['completed', 'failed'], failed: [] }),
  };
}

test('a finished task calls back with a signed event that matches the contract and the polled task', async ({
  api,
  webhooks,
}) => {
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a lighthouse at dawn, by webhook', webhooks.callbackUrl);

  const { event, delivery, record } = await webhooks.waitFor(taskWebhook(taskId, secret));

  expect(delivery.webhookId).toMatch(/^msg_/);
  const task = await parse(await api.get(`/api/v1/tasks/${taskId}`), Task);
  expect(event).toMatchObject({
    type: 'image.generation.completed',
    data: { taskId, status: task.status, completedAt: task.completedAt, result: task.result },
  });
  expect(record).toMatchObject({ channel: 'webhook', outcome: 'ready', attempts: 1, duplicates: 0 });
  expect(record.receivedAfterCompletionMs).toEqual(expect.any(Number));
});

// The demo API's record of what it sent (a test control): each attempt, once it has an answer or an error.
const SentWebhooks = z.object({
  deliveries: z.array(z.object({ webhookId: z.string(), status: z.int().nullable(), error: z.string().nullable() })),
});

test('a healthy API delivers each event once', async ({
  api,
  anonymousApi,
  webhooks,
  demoControls,
  sla,
  waitUntilReady,
}) => {
  test.skip(!demoControls, 'what the API sent is read from a demo API control');
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a lighthouse, once', webhooks.callbackUrl);
  await webhooks.waitFor(taskWebhook(taskId, secret));

  // Not a sleep: the API's own record says when it has nothing more on its way.
  const { value: sent } = await waitUntilReady({
    operation: 'webhook deliveries settled',
    subject: `task ${taskId}`,
    slaMs: sla('image generation'),
    probe: ({ timeoutMs }) => anonymousApi.get('/__demo/webhooks', { params: { taskId }, timeout: timeoutMs }),
    classify: whenBody({
      schema: SentWebhooks,
      isReady: (body) => body.deliveries.every((delivery) => delivery.status !== null || delivery.error !== null),
      describe: (body) => `${body.deliveries.length} sent`,
    }),
  });
  expect(sent.deliveries, 'the webhook was delivered more than once').toHaveLength(1);
});

test('a duplicate delivery keeps its webhook-id and is counted as a duplicate', async ({
  api,
  webhooks,
  demoControls,
}) => {
  test.skip(!demoControls, 'duplicate deliveries are switched on with a demo API control');
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a lighthouse twice', webhooks.callbackUrl, {
    'x-demo-faults': 'webhook-duplicate',
  });

  const { record } = await webhooks.waitFor({ ...taskWebhook(taskId, secret), deliveries: 2 });

  expect(record.duplicates).toBe(1);
  const [first, second] = record.timeline;
  expect(second).toMatchObject({ webhookId: first!.webhookId, repeatOf: first!.number, verdict: 'match' });
});

test('a delivery the receiver refused with 500 is delivered again with the same webhook-id', async ({
  api,
  webhooks,
}) => {
  const secret = await signingSecret(api);
  webhooks.refuseNext(1);
  const taskId = await submitGeneration(api, 'a lighthouse, delivered again', webhooks.callbackUrl);

  const { delivery, record } = await webhooks.waitFor(taskWebhook(taskId, secret));

  expect(delivery.number).toBe(2);
  expect(
    record.timeline.map(({ webhookId, answeredStatus, verdict }) => ({ webhookId, answeredStatus, verdict })),
  ).toEqual([
    { webhookId: delivery.webhookId, answeredStatus: 500, verdict: 'refused' },
    { webhookId: delivery.webhookId, answeredStatus: 204, verdict: 'match' },
  ]);
  expect(record).toMatchObject({ redeliveries: 1, duplicates: 0 });
});

test('a webhook with a bad signature fails the wait at once, naming its webhook-id', async ({
  api,
  webhooks,
  demoControls,
}) => {
  test.skip(!demoControls, 'bad signatures are switched on with a demo API control');
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a forged lighthouse', webhooks.callbackUrl, {
    'x-demo-faults': 'webhook-bad-signature',
  });

  const failure = await webhooks
    .waitFor({ ...taskWebhook(taskId, secret), expectedOutcome: 'bad-signature' })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(WebhookWaitError);
  const { message, record } = failure as WebhookWaitError;
  expect(message).toMatch(
    new RegExp(
      `^Bad webhook signature: webhook msg_\\S+ for task ${taskId} \\(delivery 1, [\\d.]+ s into the wait\\) does not verify with the signing secret: No matching signature found$`,
    ),
  );
  // At once: on the first delivery, not at the SLA.
  expect(record).toMatchObject({ outcome: 'bad-signature', provoked: true, attempts: 1 });
});

test('a lost webhook is told apart from a stuck task: polling found the task done', async ({
  api,
  sla,
  webhooks,
  demoControls,
}) => {
  test.skip(!demoControls, 'lost webhooks are switched on with a demo API control');
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a lighthouse nobody hears of', webhooks.callbackUrl, {
    'x-demo-faults': 'webhook-lost',
  });

  const failure = await webhooks
    .waitForOrPoll({
      webhook: { ...taskWebhook(taskId, secret), expectedOutcome: 'timeout' },
      poll: taskPoll(api, taskId),
    })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(WebhookWaitError);
  const { message, record } = failure as WebhookWaitError;
  expect(message).toMatch(
    new RegExp(
      `^Readiness timeout: no webhook for task ${taskId} within ${sla('image generation') / 1000} s; polling found it done: status completed since [\\d.]+ s (into|before) the wait, so its webhook was lost or is late; received 0 deliveries$`,
    ),
  );
  expect(record).toMatchObject({ outcome: 'timeout', provoked: true, attempts: 0 });
  expect(record.polls.at(-1)).toMatchObject({ verdict: 'ready', observed: 'status completed' });
});

test('a stuck task is told apart from a lost webhook: polling found it not done', async ({ api, sla, webhooks }) => {
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a lighthouse that is never drawn', webhooks.callbackUrl, {
    'x-demo-scenario': 'never-finishes',
  });

  const failure = await webhooks
    .waitForOrPoll({
      webhook: { ...taskWebhook(taskId, secret), expectedOutcome: 'timeout' },
      poll: taskPoll(api, taskId),
    })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(WebhookWaitError);
  const { message, record } = failure as WebhookWaitError;
  expect(message).toMatch(
    new RegExp(
      `^Readiness timeout: no webhook for task ${taskId} within ${sla('image generation') / 1000} s; polling found it not done: last status processing after \\d+ polls, so the job is stuck or slow, not its webhook; received 0 deliveries$`,
    ),
  );
  expect(record).toMatchObject({ outcome: 'timeout', provoked: true, attempts: 0 });
});

test('a webhook sent after the SLA fails the wait at the SLA, naming the task', async ({
  api,
  sla,
  webhooks,
  demoControls,
}) => {
  test.skip(!demoControls, 'late webhooks are switched on with a demo API control');
  const secret = await signingSecret(api);
  const taskId = await submitGeneration(api, 'a lighthouse, reported late', webhooks.callbackUrl, {
    'x-demo-faults': 'webhook-late',
  });

  const failure = await webhooks
    .waitFor({ ...taskWebhook(taskId, secret), expectedOutcome: 'timeout' })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(WebhookWaitError);
  const { message, record } = failure as WebhookWaitError;
  expect(message).toBe(
    `Readiness timeout: no webhook for task ${taskId} within ${sla('image generation') / 1000} s; received 0 deliveries`,
  );
  expect(record).toMatchObject({ operation: 'image generation (webhook)', outcome: 'timeout', provoked: true });
});
