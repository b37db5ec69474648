import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { WebhookInbox, WebhookReceiver } from '../../helpers/push/webhooks/receiver';
import { verifyDelivery } from '../../helpers/push/webhooks/signatures';
import {
  type WebhookWaitOptions,
  WebhookWaitError,
  waitForWebhook,
  waitForWebhookOrPoll,
} from '../../helpers/push/webhooks/wait';
import { recordsFromAttachments, summarize } from '../../helpers/readiness/summary';
import { type Clock, type Verdict, type WaitReporter, clockOf } from '../../helpers/wait';
import { expect, test } from '../../fixtures';

const START = Date.parse('2026-11-23T10:00:00.000Z');

/** A fake clock with timers: advancing it fires each timer due on the way, and lets the wait react to each. */
function fakeTimers() {
  let now = START;
  let pending: Array<{ at: number; callback: () => void }> = [];
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const timers = {
    now: () => now,
    after: (ms: number, callback: () => void) => {
      const timer = { at: now + ms, callback };
      pending.push(timer);
      return () => void (pending = pending.filter((other) => other !== timer));
    },
    advance: async (ms: number) => {
      const until = now + ms;
      for (;;) {
        await settle();
        const next = pending.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        pending = pending.filter((timer) => timer !== next);
        now = next.at;
        next.callback();
      }
      now = until;
      await settle();
    },
  } satisfies Omit<Clock, 'sleep'> & Record<string, unknown>;
  return timers;
}

// Made at run time: a secret-shaped literal in a test file would set off the secret scan.
const secret = `whsec_${randomBytes(24).toString('base64')}`;

const Event = z.object({
  type: z.enum(['image.generation.completed', 'image.generation.failed']),
  data: z.object({ taskId: z.string(), completedAt: z.string().optional() }),
});
type Event = z.infer<typeof Event>;

const completed = (taskId: string, completedAt = new Date(START - 300).toISOString()): Event => ({
  type: 'image.generation.completed',
  data: { taskId, completedAt },
});

/** A delivery as a Standard Webhooks sender signs it (the timestamp is real: the library checks it against now). */
function signed(event: unknown, id: string, signingSecret = secret) {
  const body = JSON.stringify(event);
  const at = new Date();
  const signature = new Webhook(signingSecret).sign(id, at, body);
  return {
    headers: {
      'Webhook-Id': id,
      'Webhook-Timestamp': String(Math.floor(at.getTime() / 1000)),
      'Webhook-Signature': signature,
    },
    body,
  };
}

function setUp() {
  const timers = fakeTimers();
  const inbox = new WebhookInbox('http://127.0.0.1:4000/hooks/t-1', timers.now);
  const options: WebhookWaitOptions<Event> = {
    operation: 'image generation',
    subject: 'task tsk_42',
    slaMs: 12_000,
    inbox,
    secret,
    schema: Event,
    match: (event) => event.data.taskId === 'tsk_42',
    describe: (event) => `${event.type} of task ${event.data.taskId}`,
    clock: clockOf(timers),
  };
  return { timers, inbox, options };
}

async function failureOf(promise: Promise<unknown>): Promise<WebhookWaitError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WebhookWaitError);
  return error as WebhookWaitError;
}

test('a good signature verifies; a tampered body, another secret or missing headers do not', () => {
  const delivery = signed(completed('tsk_42'), 'msg_1');
  expect(verifyDelivery(delivery, secret)).toEqual({ valid: true });
  expect(verifyDelivery({ ...delivery, body: delivery.body.replace('tsk_42', 'tsk_43') }, secret)).toEqual({
    valid: false,
    reason: 'No matching signature found',
  });
  const otherSecret = `whsec_${randomBytes(24).toString('base64')}`;
  expect(verifyDelivery(delivery, otherSecret)).toEqual({ valid: false, reason: 'No matching signature found' });
  expect(verifyDelivery({ headers: {}, body: delivery.body }, secret)).toEqual({
    valid: false,
    reason: 'Missing required headers',
  });
});

test('the first matching delivery ends the wait, with the record of every delivery', async () => {
  const { timers, inbox, options } = setUp();
  const waiting = waitForWebhook(options);
  await timers.advance(400);
  expect(inbox.receive(signed(completed('tsk_7'), 'msg_7'))).toBe(204);
  await timers.advance(600);
  inbox.receive(signed(completed('tsk_42'), 'msg_42'));

  const { event, delivery, record } = await waiting;
  expect(event.data.taskId).toBe('tsk_42');
  expect(delivery).toMatchObject({ number: 2, webhookId: 'msg_42', answeredStatus: 204 });
  expect(record).toMatchObject({
    operation: 'image generation (webhook)',
    channel: 'webhook',
    subject: 'task tsk_42',
    slaMs: 12_000,
    outcome: 'ready',
    provoked: false,
    attempts: 2,
    elapsedMs: 1_000,
    observedTimeToReadyMs: 1_000,
    timeToReadyMs: 1_000,
    bracket: { lastNotReadyMs: undefined, firstReadyMs: 1_000 },
    duplicates: 0,
    // Received 1 s into the wait, completed 0.3 s before it.
    receivedAfterCompletionMs: 1_300,
    polls: [],
  });
  expect(record.timeline).toEqual([
    {
      number: 1,
      receivedAtMs: 400,
      webhookId: 'msg_7',
      webhookTimestamp: expect.stringMatching(/^\d+$/),
      answeredStatus: 204,
      repeatOf: undefined,
      observed: 'image.generation.completed of task tsk_7',
      verdict: 'no-match',
    },
    expect.objectContaining({ number: 2, receivedAtMs: 1_000, webhookId: 'msg_42', verdict: 'match' }),
  ]);
});

test('a delivery that came before the wait began ends it at once', async () => {
  const { timers, inbox, options } = setUp();
  inbox.receive(signed(completed('tsk_42'), 'msg_42'));
  await timers.advance(250);

  const { record } = await waitForWebhook(options);
  expect(record.timeline[0]?.receivedAtMs).toBe(-250);
  expect(record.timeToReadyMs).toBe(0);
});

test('a delivery repeated after it was accepted counts as a duplicate', async () => {
  const { inbox, options } = setUp();
  const delivery = signed(completed('tsk_42'), 'msg_42');
  inbox.receive(delivery);
  inbox.receive(delivery);

  const { record } = await waitForWebhook({ ...options, deliveries: 2 });
  expect(record).toMatchObject({ outcome: 'ready', attempts: 2, duplicates: 1, redeliveries: 0 });
  expect(record.timeline.map(({ webhookId, repeatOf, verdict }) => ({ webhookId, repeatOf, verdict }))).toEqual([
    { webhookId: 'msg_42', repeatOf: undefined, verdict: 'match' },
    { webhookId: 'msg_42', repeatOf: 1, verdict: 'match' },
  ]);
});

test('a delivery refused with 500 and sent again is a redelivery, not a duplicate', async () => {
  const { inbox, options } = setUp();
  const delivery = signed(completed('tsk_42'), 'msg_42');
  inbox.refuseNext(1);
  expect(inbox.receive(delivery)).toBe(500);
  expect(inbox.receive(delivery)).toBe(204);

  const { delivery: accepted, record } = await waitForWebhook(options);
  expect(accepted.number).toBe(2);
  expect(record).toMatchObject({ attempts: 2, duplicates: 0, redeliveries: 1 });
  expect(
    record.timeline.map(({ answeredStatus, repeatOf, verdict }) => ({ answeredStatus, repeatOf, verdict })),
  ).toEqual([
    { answeredStatus: 500, repeatOf: undefined, verdict: 'refused' },
    { answeredStatus: 204, repeatOf: 1, verdict: 'match' },
  ]);
});

test('a bad signature fails the wait at once, naming the webhook-id', async () => {
  const { timers, inbox, options } = setUp();
  const waiting = failureOf(waitForWebhook({ ...options, expectedOutcome: 'bad-signature' }));
  await timers.advance(1_500);
  const otherSecret = `whsec_${randomBytes(24).toString('base64')}`;
  inbox.receive(signed(completed('tsk_42'), 'msg_forged', otherSecret));

  const { message, record } = await waiting;
  expect(message).toBe(
    'Bad webhook signature: webhook msg_forged for task tsk_42 (delivery 1, 1.5 s into the wait) does not verify with the signing secret: No matching signature found',
  );
  expect(record).toMatchObject({ outcome: 'bad-signature', provoked: true, attempts: 1, elapsedMs: 1_500 });
  expect(record.timeline[0]).toMatchObject({ observed: 'bad signature', verdict: 'bad-signature' });
});

test("a body that breaks the contract fails the wait at once, with zod's explanation", async () => {
  const { inbox, options } = setUp();
  inbox.receive(signed({ type: 'image.generation.completed', data: { task: 'tsk_42' } }, 'msg_drifted'));

  const { message, record } = await failureOf(waitForWebhook(options));
  expect(message).toMatch(
    /^Contract violation: webhook msg_drifted for task tsk_42 \(delivery 1, 0\.0 s into the wait\): it does not match the schema\.\n✖ Invalid input: expected string, received undefined\n {2}→ at data\.taskId\n\nBody:\n/,
  );
  expect(record).toMatchObject({ outcome: 'contract-violation', provoked: false });
});

test('at the SLA with nothing received, the message names what was awaited', async () => {
  const { timers, options } = setUp();
  const waiting = failureOf(waitForWebhook({ ...options, expectedOutcome: 'timeout' }));
  await timers.advance(12_000);

  const { message, record } = await waiting;
  expect(message).toBe('Readiness timeout: no webhook for task tsk_42 within 12 s; received 0 deliveries');
  expect(record).toMatchObject({ outcome: 'timeout', provoked: true, attempts: 0, elapsedMs: 12_000 });
  expect(record.timeToReadyMs).toBeUndefined();
});

test('at the SLA, the deliveries that did not match are named', async () => {
  const { timers, inbox, options } = setUp();
  const waiting = failureOf(waitForWebhook(options));
  await timers.advance(2_000);
  inbox.receive(signed(completed('tsk_7'), 'msg_7'));
  await timers.advance(1_000);
  inbox.receive(signed({ ...completed('tsk_8'), type: 'image.generation.failed' }, 'msg_8'));
  await timers.advance(9_000);

  const { message, record } = await waiting;
  expect(message).toBe(
    'Readiness timeout: no webhook for task tsk_42 within 12 s; received 2 deliveries that did not match: ' +
      'msg_7 (image.generation.completed of task tsk_7, 2.0 s into the wait), ' +
      'msg_8 (image.generation.failed of task tsk_8, 3.0 s into the wait)',
  );
  expect(record).toMatchObject({ outcome: 'timeout', provoked: false, attempts: 2 });
});

/** A fallback probe that answers the given verdicts in turn (the last one for ever). */
function polls(verdicts: Verdict<{ completedAt: string | null }>[]) {
  let calls = 0;
  return {
    probe: async () => verdicts[Math.min(calls++, verdicts.length - 1)]!,
    classify: (verdict: Verdict<{ completedAt: string | null }>) => verdict,
    calls: () => calls,
  };
}
const processing = { kind: 'not-ready', observed: 'status processing', httpStatus: 200 } as const;
const done = {
  kind: 'ready',
  value: { completedAt: new Date(START + 400).toISOString() },
  observed: 'status completed',
  httpStatus: 200,
} as const;

test('the fallback tells a lost webhook: polling found the task done', async () => {
  const { timers, options } = setUp();
  const poll = polls([done]);
  const waiting = failureOf(waitForWebhookOrPoll({ webhook: options, poll }));
  await timers.advance(12_000);

  const { message, record } = await waiting;
  expect(message).toBe(
    'Readiness timeout: no webhook for task tsk_42 within 12 s; polling found it done: status completed since 0.4 s into the wait, so its webhook was lost or is late; received 0 deliveries',
  );
  // A quarter of the SLA apart, the last one while an answer can still come in time.
  expect(record.polls.map((entry) => entry.startedAtMs)).toEqual([3_000, 6_000, 9_000]);
  expect(record.polls.at(-1)).toMatchObject({ verdict: 'ready', observed: 'status completed', completedAtMs: 400 });
});

test('the fallback tells a stuck task: polling found it not done', async () => {
  const { timers, options } = setUp();
  const waiting = failureOf(waitForWebhookOrPoll({ webhook: options, poll: polls([processing]) }));
  await timers.advance(12_000);

  const { message } = await waiting;
  expect(message).toBe(
    'Readiness timeout: no webhook for task tsk_42 within 12 s; polling found it not done: last status processing after 3 polls, so the job is stuck or slow, not its webhook; received 0 deliveries',
  );
});

test('with the fallback, the webhook still ends the wait, and polling stops with it', async () => {
  const { timers, inbox, options } = setUp();
  const poll = polls([processing, done]);
  const waiting = waitForWebhookOrPoll({ webhook: options, poll: { ...poll, intervalMs: 1_000 } });
  await timers.advance(2_500);
  inbox.receive(signed(completed('tsk_42'), 'msg_42'));

  const { record } = await waiting;
  await timers.advance(10_000);
  expect(record).toMatchObject({ outcome: 'ready', timeToReadyMs: 2_500 });
  expect(record.polls.map((entry) => entry.verdict)).toEqual(['not-ready', 'ready']);
  expect(poll.calls()).toBe(2);
});

test('a wait is one step with each delivery attached, and the readiness summary counts it per operation', async () => {
  const { inbox, options } = setUp();
  const steps: string[] = [];
  const attachments: Array<{ name: string; contentType: string; body: Buffer }> = [];
  const reporter: WaitReporter = {
    step: async (title, body) => {
      steps.push(title);
      return body({
        rename: async (name) => void steps.push(name),
        parameter: async () => undefined,
        attachJson: async (name, value) =>
          void attachments.push({ name, contentType: 'application/json', body: Buffer.from(JSON.stringify(value)) }),
      });
    },
  };
  inbox.receive(signed(completed('tsk_42'), 'msg_42'));

  await waitForWebhook({ ...options, reporter });
  expect(steps).toEqual(['Wait for webhook of image generation: task tsk_42 (SLA 12 s)']);
  expect(attachments.map((attachment) => attachment.name)).toEqual(['webhook delivery 1', 'readiness timeline']);
  const delivery = JSON.parse(attachments[0]!.body.toString()) as { headers: Record<string, string> };
  expect(delivery.headers['webhook-id']).toBe('msg_42');
  const summary = summarize(recordsFromAttachments(attachments), 1_000);
  expect(summary.operations).toMatchObject([
    { operation: 'image generation (webhook)', waits: 1, ready: 1, attempts: { ready: { mean: 1 } } },
  ]);
});

test('the receiver answers 204 to a delivery it takes, 500 when asked to refuse, 410 once the inbox is closed', async () => {
  const receiver = await WebhookReceiver.start();
  try {
    const inbox = receiver.openInbox('a test');
    expect(inbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/a-test-[0-9a-f]{6}-1$/);
    const { headers, body } = signed(completed('tsk_42'), 'msg_42');
    const send = (method = 'POST') => fetch(inbox.url, { method, headers, ...(method === 'POST' ? { body } : {}) });

    inbox.refuseNext(1);
    expect((await send()).status).toBe(500);
    expect((await send()).status).toBe(204);
    expect((await send('GET')).status).toBe(405);
    expect(inbox.deliveries.map((delivery) => [delivery.webhookId, delivery.answeredStatus])).toEqual([
      ['msg_42', 500],
      ['msg_42', 204],
    ]);
    expect(verifyDelivery(inbox.deliveries[1]!, secret)).toEqual({ valid: true });

    inbox.close();
    expect((await send()).status).toBe(410);
    expect((await fetch(new URL('/elsewhere', inbox.url), { method: 'POST', body })).status).toBe(404);
  } finally {
    await receiver.close();
  }
});

test('behind a tunnel, callback URLs are built on the public URL', async () => {
  const receiver = await WebhookReceiver.start({ publicUrl: 'https://hooks.example.test/runner-{port}' });
  try {
    expect(receiver.openInbox('t').url).toMatch(/^https:\/\/hooks\.example\.test\/runner-\d+\/hooks\/t-[0-9a-f]{6}-1$/);
  } finally {
    await receiver.close();
  }
});
