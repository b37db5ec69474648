import { z } from 'zod';
import {
  type Clock,
  type Observer,
  type ReportStep,
  type Verdict,
  WaitError,
  type WaitReporter,
  recordFields,
  runWait,
  waitContext,
} from '../../helpers/wait';
import { bracketOf } from '../../helpers/wait/record';
import { expect, test } from '../../fixtures';

const START = Date.parse('2026-12-01T10:00:00.000Z');

/** A fake clock whose timers fire as the test moves time on; a sleep is a timer. */
function fakeClock() {
  let now = START;
  let pending: Array<{ at: number; callback: () => void }> = [];
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const after = (ms: number, callback: () => void) => {
    const timer = { at: now + ms, callback };
    pending.push(timer);
    return () => void (pending = pending.filter((other) => other !== timer));
  };
  return {
    now: () => now,
    after,
    sleep: (ms: number) => new Promise<void>((resolve) => void after(ms, resolve)),
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
  } satisfies Clock & Record<string, unknown>;
}

/** Messages pushed by the test, awaited by the wait one by one. */
function pushedMessages(clock: Clock) {
  const queued: unknown[] = [];
  let waiting: ((message: unknown) => void) | undefined;
  let closed = false;
  const observer: Observer<unknown> = {
    noun: 'message',
    stepping: 'check-in-step',
    pushed: true,
    observe: async () => {
      const first = queued.shift();
      const value = first ?? (await new Promise((resolve) => (waiting = resolve)));
      return { value, at: clock.now() };
    },
    hasQueued: () => queued.length > 0,
    close: async () => void (closed = true),
  };
  return {
    observer,
    push: (message: unknown) => {
      const resolve = waiting;
      waiting = undefined;
      if (resolve) resolve(message);
      else queued.push(message);
    },
    closed: () => closed,
  };
}

/** Every step and parameter the wait reported, as titles. */
function recordingReporter() {
  const lines: string[] = [];
  const reporter: WaitReporter = {
    step: async (title, body) => {
      const index = lines.push(title) - 1;
      const step: ReportStep = {
        rename: async (name) => void (lines[index] = name),
        parameter: async (name, value) => void lines.push(`  ${name}: ${value}`),
        attachJson: async (name) => void lines.push(`  attached ${name}`),
      };
      return body(step);
    },
  };
  return { reporter, lines };
}

const Message = z.object({ status: z.enum(['processing', 'completed', 'failed']) });
type Message = z.infer<typeof Message>;

const byStatus = (message: Message): Verdict<Message> =>
  message.status === 'completed'
    ? { kind: 'ready', value: message, observed: 'completed' }
    : message.status === 'failed'
      ? { kind: 'fatal', category: 'terminal-failure', observed: 'failed', evidence: 'the task failed' }
      : { kind: 'not-ready', observed: message.status };

function streamWait(
  clock: ReturnType<typeof fakeClock>,
  observer: Observer<unknown>,
  extra: { silenceMs?: number; reporter?: WaitReporter } = {},
) {
  return runWait({
    basics: {
      operation: 'export',
      subject: 'job 7',
      slaMs: 10_000,
      ...(extra.silenceMs ? { silenceMs: extra.silenceMs } : {}),
    },
    context: waitContext({ clock, ...(extra.reporter ? { reporter: extra.reporter } : {}) }, streamWait),
    title: 'Wait for export: job 7',
    observer,
    entry: (observed, number) => ({ number, at: observed.at }),
    contract: { schema: Message, bodyOf: (value) => ({ json: true, value }) },
    classify: byStatus,
    finish: (ended) => ({
      ...recordFields({
        operation: 'export',
        subject: 'job 7',
        slaMs: 10_000,
        startedAt: ended.deadline.startedAt,
        endedAt: ended.endedAt,
        outcome: ended.outcome,
        expectedOutcome: undefined,
        attempts: ended.marks.length,
        bracket: bracketOf(ended.marks),
        estimate: 'first-ready',
        ...(ended.silence ? { silence: ended.silence } : {}),
      }),
      marks: ended.marks,
    }),
    report: async (step, record) => step.parameter('outcome', record.outcome),
    error: (message, record) => new WaitError(message, record),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<WaitError<{ outcome: string; elapsedMs: number }>> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WaitError);
  return error as WaitError<{ outcome: string; elapsedMs: number }>;
}

test('a pushed wait ends on the ready message, every message recorded with its time and checked in a step of its own', async () => {
  const clock = fakeClock();
  const messages = pushedMessages(clock);
  const { reporter, lines } = recordingReporter();
  const waiting = streamWait(clock, messages.observer, { reporter });
  await clock.advance(400);
  messages.push({ status: 'processing' });
  await clock.advance(600);
  messages.push({ status: 'completed' });

  const { values, record } = await waiting;

  expect(values).toEqual([{ status: 'completed' }]);
  expect(record).toMatchObject({
    outcome: 'ready',
    attempts: 2,
    elapsedMs: 1_000,
    observedTimeToReadyMs: 1_000,
    bracket: { lastNotReadyMs: 400, firstReadyMs: 1_000 },
  });
  expect(lines).toEqual([
    'Wait for export: job 7',
    'Message 1: processing → not ready',
    'Message 2: completed → ready',
    '  outcome: ready',
  ]);
  expect(messages.closed()).toBe(true);
});

test('a fatal message fails the wait at once with the evidence, and the observer is closed', async () => {
  const clock = fakeClock();
  const messages = pushedMessages(clock);
  const waiting = failureOf(streamWait(clock, messages.observer));
  await clock.advance(250);
  messages.push({ status: 'failed' });

  const error = await waiting;

  expect(error.message).toBe(
    'Terminal failure reported by the API: export of job 7 failed on message 1, 0.3 s into the wait: the task failed',
  );
  expect(error.record.outcome).toBe('terminal-failure');
  expect(messages.closed()).toBe(true);
});

test('a message that breaks the contract fails the wait with zod’s explanation and the body', async () => {
  const clock = fakeClock();
  const messages = pushedMessages(clock);
  const waiting = failureOf(streamWait(clock, messages.observer));
  messages.push({ status: 'PROCESSING' });

  const error = await waiting;

  expect(error.record.outcome).toBe('contract-violation');
  expect(error.message).toContain(
    'Contract violation: export of job 7 on message 1, 0.0 s into the wait: it does not match the schema.',
  );
  expect(error.message).toContain('Body:\n{\n  "status": "PROCESSING"\n}');
});

test('a wait that hears nothing for longer than its silence limit fails then, as silent, naming the messages so far', async () => {
  const clock = fakeClock();
  const messages = pushedMessages(clock);
  const waiting = failureOf(streamWait(clock, messages.observer, { silenceMs: 2_000 }));
  await clock.advance(500);
  messages.push({ status: 'processing' });
  await clock.advance(3_000);

  const error = await waiting;

  expect(error.message).toBe(
    'Silent channel: export of job 7 went silent: nothing for 2.0 s, past its silence limit of 2.0 s, after 1 message; last: processing',
  );
  expect(error.record).toMatchObject({
    outcome: 'silent',
    elapsedMs: 2_500,
    silence: { limitMs: 2_000, silentForMs: 2_000 },
  });
});

test('the control: without a silence limit the same silence runs to the SLA and is a timeout', async () => {
  const clock = fakeClock();
  const messages = pushedMessages(clock);
  const waiting = failureOf(streamWait(clock, messages.observer));
  await clock.advance(500);
  messages.push({ status: 'processing' });
  await clock.advance(12_000);

  const error = await waiting;

  expect(error.record).toMatchObject({ outcome: 'timeout', elapsedMs: 10_000 });
  expect(error.message).toMatch(/^Readiness timeout: /);
});

test('work still in flight at the end of the wait is let finish before the wait returns', async () => {
  const clock = fakeClock();
  const messages = pushedMessages(clock);
  const started: Promise<void>[] = [];
  let finished = false;
  // A fallback poll, say: started by the observer and not awaited by it.
  const observer: Observer<unknown> = {
    ...messages.observer,
    start: async ({ deadline }) => {
      started.push(deadline.track(clock.sleep(300).then(() => void (finished = true))));
    },
  };
  let returned = false;
  const waiting = streamWait(clock, observer).then(() => void (returned = true));
  messages.push({ status: 'completed' });
  await clock.advance(100);
  expect(returned).toBe(false);
  await clock.advance(200);

  await waiting;

  expect(finished).toBe(true);
  expect(started).toHaveLength(1);
});
