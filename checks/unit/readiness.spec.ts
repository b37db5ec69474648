import { type APIRequestContext } from '@playwright/test';
import { EnvError, parseEnv } from '../../helpers/env';
import { roleAuth } from '../../helpers/http/auth';
import { createApiClient } from '../../helpers/http/client';
import { InMemoryHistory, type PastWait } from '../../helpers/readiness/history';
import { PollWaitError, type PollWaitOptions, minProbeBudgetMs, waitUntilReady } from '../../helpers/readiness/wait';
import { Redactor } from '../../helpers/secrets/redactor';
import type { Verdict } from '../../helpers/wait';
import { expect, test } from '../../fixtures';

// A fake clock: sleeping moves time forward at once, so these tests take no real time.
function fakeClock() {
  let now = 1_000_000;
  let timers: Array<{ at: number; callback: () => void }> = [];
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((timer) => timer.at <= now);
    timers = timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.callback();
  };
  const after = (ms: number, callback: () => void) => {
    const timer = { at: now + ms, callback };
    timers.push(timer);
    return () => void (timers = timers.filter((other) => other !== timer));
  };
  return { now: () => now, sleep: async (ms: number) => advance(ms), advance, after };
}

const processing: Verdict<string> = { kind: 'not-ready', observed: 'status processing', httpStatus: 200 };
const completed: Verdict<string> = { kind: 'ready', value: 'the image', observed: 'status completed', httpStatus: 200 };
const failed: Verdict<string> = {
  kind: 'fatal',
  category: 'terminal-failure',
  observed: 'status failed',
  httpStatus: 200,
  evidence: 'status failed: GENERATION_FAILED: out of GPU memory',
};

/**
 * A probe that answers the given verdicts in turn (the last one for ever), or what `answer` says, each
 * after `latencyMs` (a number, or one per attempt); like a Playwright request with a timeout, it gives
 * up when its time budget runs out first, unless told to ignore its budget, as a server's late answer would.
 */
function scripted(
  verdicts: Verdict<string>[],
  clock: ReturnType<typeof fakeClock>,
  latencyMs: number | ((attempt: { number: number; timeoutMs: number }) => number) = 10,
  { ignoresBudget = false } = {},
  answer?: () => Verdict<string>,
) {
  let calls = 0;
  const budgets: number[] = [];
  return {
    probe: async (attempt: { number: number; timeoutMs: number }) => {
      calls += 1;
      budgets.push(attempt.timeoutMs);
      const latency = typeof latencyMs === 'number' ? latencyMs : latencyMs(attempt);
      const timesOut = latency > attempt.timeoutMs && !ignoresBudget;
      clock.advance(timesOut ? attempt.timeoutMs : latency);
      if (timesOut) throw new Error(`apiRequestContext.get: Timeout ${attempt.timeoutMs}ms exceeded.`);
      return answer ? answer() : verdicts[Math.min(calls - 1, verdicts.length - 1)]!;
    },
    classify: (verdict: Verdict<string>) => verdict,
    calls: () => calls,
    budgets: () => budgets,
  };
}

function wait(
  clock: ReturnType<typeof fakeClock>,
  probe: ReturnType<typeof scripted>,
  extra: Partial<PollWaitOptions<Verdict<string>, string>> = {},
) {
  return waitUntilReady({
    operation: 'image generation',
    subject: 'task 42',
    slaMs: 3_000,
    clock,
    probe: probe.probe,
    classify: probe.classify,
    ...extra,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<PollWaitError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PollWaitError);
  return error as PollWaitError;
}

test('ready at once: one attempt, the value and its record', async () => {
  const clock = fakeClock();
  const { value, record } = await wait(clock, scripted([completed], clock));
  expect(value).toBe('the image');
  expect(record).toMatchObject({
    operation: 'image generation',
    subject: 'task 42',
    outcome: 'ready',
    provoked: false,
    attempts: 1,
    observedTimeToReadyMs: 10,
    estimatedTimeToReadyMs: 10,
    timeToReadyMs: 10,
    bracket: { lastNotReadyMs: undefined, firstReadyMs: 10 },
    lastObservation: { attempt: 1, atMs: 10, observed: 'status completed', httpStatus: 200, verdict: 'ready' },
    finalProbe: { attempt: 1, fate: 'answered' },
    minProbeBudgetMs: 100,
  });
  expect(record.timeline).toEqual([
    {
      number: 1,
      startedAtMs: 0,
      latencyMs: 10,
      waitedMs: 0,
      basis: 'backoff',
      httpStatus: 200,
      observed: 'status completed',
      verdict: 'ready',
      retryAfterMs: undefined,
    },
  ]);
});

test('ready after k attempts: readiness is bracketed by the last not-ready and the first ready', async () => {
  const clock = fakeClock();
  const { record } = await wait(clock, scripted([processing, processing, processing, completed], clock));
  expect(record.attempts).toBe(4);
  expect(record.timeline.map((attempt) => attempt.verdict)).toEqual(['not-ready', 'not-ready', 'not-ready', 'ready']);
  const [third, fourth] = record.timeline.slice(2);
  expect(record.bracket).toEqual({
    lastNotReadyMs: third!.startedAtMs + third!.latencyMs,
    firstReadyMs: fourth!.startedAtMs + fourth!.latencyMs,
  });
  expect(record.observedTimeToReadyMs).toBe(record.bracket.firstReadyMs);
  expect(record.estimatedTimeToReadyMs).toBe(
    Math.round((record.bracket.lastNotReadyMs! + record.bracket.firstReadyMs!) / 2),
  );
});

test('fatal on the first attempt fails at once with the evidence', async () => {
  const clock = fakeClock();
  const probe = scripted([failed], clock);
  const error = await failureOf(wait(clock, probe));
  expect(probe.calls()).toBe(1);
  expect(error.record.outcome).toBe('terminal-failure');
  expect(error.message).toBe(
    'Terminal failure reported by the API: image generation of task 42 failed on attempt 1, 0.0 s into the wait: status failed: GENERATION_FAILED: out of GPU memory',
  );
});

test('fatal on the k-th attempt stops polling there', async () => {
  const clock = fakeClock();
  const probe = scripted([processing, processing, failed, completed], clock);
  const error = await failureOf(wait(clock, probe));
  expect(probe.calls()).toBe(3);
  expect(error.record.attempts).toBe(3);
  expect(error.message).toMatch(/failed on attempt 3, \d\.\d s into the wait: status failed/);
});

test('a wait that is never ready fails at its SLA, naming what it last saw', async () => {
  const clock = fakeClock();
  const started = clock.now();
  const probe = scripted([processing], clock);
  const error = await failureOf(wait(clock, probe));
  const attempts = error.record.attempts;
  expect(attempts).toBeGreaterThan(3);
  expect(error.record.outcome).toBe('timeout');
  // The final poll went out with the least budget a poll gets (100 ms here) and answered.
  expect(error.message).toBe(
    `Readiness timeout: image generation of task 42 not ready within the 3 s SLA: last status processing (HTTP 200) after ${attempts} attempts in 2.9 s`,
  );
  expect(error.record.lastObservation).toEqual({
    attempt: attempts,
    atMs: 2_910,
    observed: 'status processing',
    httpStatus: 200,
    verdict: 'not-ready',
  });
  expect(error.record.finalProbe).toEqual({ attempt: attempts, fate: 'answered' });
  expect(Math.min(...probe.budgets())).toBe(100);
  expect(clock.now() - started).toBeLessThanOrEqual(3_000);
});

test('a final poll that gets no answer is named apart from the last status the API reported', async () => {
  const clock = fakeClock();
  // Quick answers until the last poll, which the server leaves hanging past its budget.
  const probe = scripted([processing], clock, ({ timeoutMs }) => (timeoutMs > 100 ? 10 : 5_000));
  const error = await failureOf(wait(clock, probe));
  const attempts = error.record.attempts;
  expect(error.record.outcome).toBe('timeout');
  expect(error.message).toBe(
    `Readiness timeout: image generation of task 42 not ready within the 3 s SLA: last status processing (HTTP 200) after ${attempts} attempts in 3.0 s; the final poll got no answer within the remaining 100 ms`,
  );
  expect(error.message).not.toMatch(/last \w*Error|last .*Timeout \d+ms/);
  expect(error.record.lastObservation).toMatchObject({ attempt: attempts - 1, observed: 'status processing' });
  expect(error.record.finalProbe).toEqual({
    attempt: attempts,
    fate: 'no-answer',
    budgetMs: 100,
    error: 'Error: apiRequestContext.get: Timeout 100ms exceeded.',
  });
  expect(error.record.timeline.at(-1)).toMatchObject({ verdict: 'error', latencyMs: 100 });
});

test('a wait whose only poll gets no answer says it never observed anything', async () => {
  const clock = fakeClock();
  const error = await failureOf(wait(clock, scripted([processing], clock, 60_000)));
  expect(error.message).toBe(
    'Readiness timeout: image generation of task 42 not ready within the 3 s SLA: never observed after 1 attempt in 3.0 s; the final poll got no answer within the remaining 3000 ms',
  );
  expect(error.record).toMatchObject({ lastObservation: undefined, finalProbe: { attempt: 1, fate: 'no-answer' } });
});

test('a final poll that answers ready just after the deadline is a timeout that says so', async () => {
  const clock = fakeClock();
  const history = new InMemoryHistory();
  // The last poll is sent with 100 ms left; the server answers it after 130 ms all the same, ready.
  const probe = scripted([processing], clock);
  const error = await failureOf(
    wait(clock, probe, {
      history,
      probe: async ({ timeoutMs }) => {
        const last = timeoutMs <= 100;
        clock.advance(last ? 130 : 10);
        return last ? completed : processing;
      },
    }),
  );
  const attempts = error.record.attempts;
  expect(error.record).toMatchObject({
    outcome: 'timeout',
    observedTimeToReadyMs: undefined,
    estimatedTimeToReadyMs: undefined,
    lastObservation: {
      attempt: attempts,
      atMs: 3_030,
      observed: 'status completed',
      httpStatus: 200,
      verdict: 'ready',
    },
    finalProbe: { attempt: attempts, fate: 'answered-after-sla', lateByMs: 30 },
  });
  expect(error.message).toBe(
    `Readiness timeout: image generation of task 42 not ready within the 3 s SLA: last status completed (HTTP 200) after ${attempts} attempts in 3.0 s; the final poll found it ready 30 ms after the SLA`,
  );
  expect(history.pastWaits('image generation')).toEqual([]);
});

test('no poll is sent with less budget than three times the slowest answer, 100 ms at least', async () => {
  expect(minProbeBudgetMs(undefined, 12_000)).toBe(100);
  expect(minProbeBudgetMs(30, 12_000)).toBe(100);
  expect(minProbeBudgetMs(180, 12_000)).toBe(540);
  // One slow answer does not end a wait early: never more than a quarter of the SLA.
  expect(minProbeBudgetMs(5_000, 12_000)).toBe(3_000);

  const clock = fakeClock();
  const probe = scripted([processing], clock, ({ number }) => (number === 2 ? 180 : 10));
  const error = await failureOf(wait(clock, probe));
  const budgets = probe.budgets();
  expect(Math.min(...budgets.slice(2))).toBe(540);
  expect(error.record.minProbeBudgetMs).toBe(540);
  expect(error.record.finalProbe).toMatchObject({ fate: 'answered' });
});

test('the deadline is never exceeded, whatever the latency and the hints', async () => {
  for (const latencyMs of [1, 37, 180, 450] as const) {
    for (const retryAfterMs of [undefined, 90, 1_300] as const) {
      const clock = fakeClock();
      const started = clock.now();
      const notReady: Verdict<string> = { ...processing, retryAfterMs };
      const error = await failureOf(wait(clock, scripted([notReady], clock, latencyMs)));
      expect(error.record.outcome).toBe('timeout');
      const last = error.record.timeline.at(-1)!;
      expect(last.startedAtMs + last.latencyMs).toBeLessThanOrEqual(3_000);
      expect(clock.now() - started).toBeLessThanOrEqual(3_000);
      expect(error.record.finalProbe).toMatchObject({ fate: 'answered' });
      expect(error.message).toContain('last status processing (HTTP 200)');
    }
  }
});

test("the server's Retry-After is honoured, unless told not to", async () => {
  for (const [honourRetryAfter, expectedWaits] of [
    [true, [0, 700, 250]],
    [false, [0, 98, 196]],
  ] as const) {
    const clock = fakeClock();
    const hinted = (retryAfterMs: number): Verdict<string> => ({ ...processing, retryAfterMs });
    const { record } = await wait(clock, scripted([hinted(700), hinted(250), completed], clock), {
      honourRetryAfter,
      random: () => 0.45,
    });
    expect(record.timeline.map((attempt) => attempt.waitedMs)).toEqual(expectedWaits);
  }
});

test('the Retry-After of the response that started the operation sets the first poll', async () => {
  const clock = fakeClock();
  const { record } = await wait(clock, scripted([completed], clock), { initialRetryAfterMs: 1_200 });
  expect(record.timeline[0]).toMatchObject({ waitedMs: 1_200, basis: 'retry-after' });
});

test('with earlier waits of the operation known, the first poll comes when readiness becomes likely', async () => {
  const clock = fakeClock();
  const history = new InMemoryHistory();
  for (const ms of [900, 1_000, 1_100, 1_200, 1_300, 1_400, 1_500, 1_600, 1_700, 1_800]) {
    history.recordWait('image generation', { ready: { fromMs: ms, toMs: ms }, phases: [] });
  }
  const { record } = await wait(clock, scripted([processing, processing, completed], clock), { history });
  expect(record.timeline.map((attempt) => [attempt.startedAtMs, attempt.basis])).toEqual([
    [900, 'learned'], // none of the earlier waits was ready sooner
    [1_100, 'learned'], // then as soon as the chance of readiness is worth a request
    [1_300, 'learned'],
  ]);
  // It learns the bracket in which readiness happened: after the last not-ready answer, by the ready one.
  expect(history.pastWaits('image generation').at(-1)).toEqual({ ready: { fromMs: 1_110, toMs: 1_310 }, phases: [] });
});

test('only ready waits teach the history', async () => {
  const clock = fakeClock();
  const history = new InMemoryHistory();
  await failureOf(wait(clock, scripted([failed], clock), { history }));
  await failureOf(wait(clock, scripted([processing], clock), { history }));
  expect(history.pastWaits('image generation')).toEqual([]);
});

/** A probe of a task that is in each state until the time given (from the start of the wait), then ready. */
function byTime(clock: ReturnType<typeof fakeClock>, states: Array<[untilMs: number, verdict: Verdict<string>]>) {
  const start = clock.now();
  return scripted([], clock, 10, {}, () => {
    const elapsed = clock.now() - start;
    return states.find(([untilMs]) => elapsed < untilMs)?.[1] ?? completed;
  });
}

const queued = (queuePosition?: number): Verdict<string> => ({
  kind: 'not-ready',
  observed: 'status queued',
  httpStatus: 200,
  phase: 'queued',
  queuePosition,
});
const inProcessing: Verdict<string> = { ...processing, phase: 'processing' };
const withoutPhase = (verdict: Verdict<string>): Verdict<string> =>
  verdict.kind === 'not-ready' ? { kind: 'not-ready', observed: verdict.observed, httpStatus: 200 } : verdict;

/** Earlier waits of a queue: entered it with the wait, left it after about `queuedMs`, ready `processingMs` later. */
function learnedQueue(queuedMs: number, processingMs: number, queuePosition?: number): PastWait[] {
  return Array.from({ length: 10 }, (_, i) => {
    const left = { fromMs: queuedMs - 50 + 10 * i, toMs: queuedMs + 10 * i };
    const ready = { fromMs: left.toMs + processingMs - 50 + 10 * i, toMs: left.toMs + processingMs + 10 * i };
    return {
      ready,
      phases: [
        { phase: 'queued', entered: { fromMs: 0, toMs: 0 }, left, queuePosition },
        { phase: 'processing', entered: left, left: ready, queuePosition: undefined },
      ],
    };
  });
}

function historyOf(waits: PastWait[]) {
  const history = new InMemoryHistory();
  for (const past of waits) history.recordWait('image generation', past);
  return history;
}

test('a task whose queueing took long but whose processing is short is polled soon after it leaves the queue', async () => {
  // Usually queued about 1 s, then processed in about 300 ms; these queue 3.6–4.4 s, then process 300 ms.
  const learned = learnedQueue(1_000, 300);
  const lateness = async (queuedMs: number, phased: boolean) => {
    const clock = fakeClock();
    const states: Array<[number, Verdict<string>]> = [
      [queuedMs, queued()],
      [queuedMs + 300, inProcessing],
    ];
    const probe = byTime(
      clock,
      states.map(([untilMs, verdict]) => [untilMs, phased ? verdict : withoutPhase(verdict)]),
    );
    const { record } = await wait(clock, probe, { slaMs: 10_000, history: historyOf(learned) });
    const firstAfterTheQueue = record.timeline.find((attempt) => attempt.startedAtMs + attempt.latencyMs >= queuedMs)!;
    return {
      sinceLeavingTheQueue: firstAfterTheQueue.startedAtMs + firstAfterTheQueue.latencyMs - queuedMs,
      afterReadiness: record.bracket.firstReadyMs! - (queuedMs + 300),
    };
  };
  const queueLengths = [3_600, 3_800, 4_000, 4_200, 4_400];
  const phased = await Promise.all(queueLengths.map((queuedMs) => lateness(queuedMs, true)));
  // Past the usual queueing, it is polled at least as often as processing usually takes: the short
  // processing is seen, and from its start (known within a poll) the polls follow the processing time.
  for (const { sinceLeavingTheQueue, afterReadiness } of phased) {
    expect(sinceLeavingTheQueue).toBeLessThan(300);
    expect(afterReadiness).toBeLessThanOrEqual(150);
  }

  // The control: the same answers without their phases are polled on the time from the start of the
  // wait, far past every earlier wait: every tenth of the time spent, whatever processing takes.
  const blind = await Promise.all(queueLengths.map((queuedMs) => lateness(queuedMs, false)));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  expect(mean(blind.map((result) => result.afterReadiness))).toBeGreaterThan(
    3 * mean(phased.map((result) => result.afterReadiness)),
  );
});

test('a place in the queue: a history learnt on a busy queue does not delay a task on a short one', async () => {
  // Learnt 8th in line, queued about 4 s; now 1st in line, it leaves the queue at 300 ms and is ready at 800 ms.
  const learned = learnedQueue(4_000, 500, 8);
  const clock = fakeClock();
  const states: Array<[number, Verdict<string>]> = [
    [300, queued(1)],
    [800, inProcessing],
  ];
  const { record } = await wait(clock, byTime(clock, states), { slaMs: 10_000, history: historyOf(learned) });
  expect(record.timeline[0]).toMatchObject({ startedAtMs: 0, phase: 'queued', queuePosition: 1 });
  expect(record.bracket.firstReadyMs! - 800).toBeLessThan(400);

  // The control: without the position, the wait expects the queue to take as long as it did.
  const control = fakeClock();
  const noPosition = byTime(control, [
    [300, queued()],
    [800, inProcessing],
  ]);
  const { record: blind } = await wait(control, noPosition, { slaMs: 10_000, history: historyOf(learned) });
  expect(blind.bracket.firstReadyMs! - 800).toBeGreaterThan(3_000);
});

test('the record names the phases the answers showed, with when each was entered and left', async () => {
  const clock = fakeClock();
  const states: Array<[number, Verdict<string>]> = [
    [250, queued(2)],
    [600, inProcessing],
  ];
  const { record } = await wait(clock, byTime(clock, states));
  expect(record.phases).toEqual([
    { phase: 'queued', entered: { fromMs: 0, toMs: 0 }, left: expect.any(Object), queuePosition: 2 },
    { phase: 'processing', entered: expect.any(Object), left: expect.any(Object), queuePosition: undefined },
  ]);
  const [inQueue, inProcess] = record.phases;
  expect(inQueue!.left).toEqual(inProcess!.entered);
  expect(inQueue!.left!.fromMs).toBeLessThan(250);
  expect(inQueue!.left!.toMs).toBeGreaterThanOrEqual(250);
  expect(inProcess!.left).toEqual({ fromMs: record.bracket.lastNotReadyMs, toMs: record.bracket.firstReadyMs });
});

test('an exception inside the classifier is surfaced as such, not retried', async () => {
  const clock = fakeClock();
  const probe = scripted([processing], clock);
  const error = await failureOf(
    wait(clock, probe, {
      classify: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'status')");
      },
    }),
  );
  expect(probe.calls()).toBe(1);
  expect(error.record.outcome).toBe('classifier-error');
  expect(error.message).toBe(
    "Classifier error: image generation of task 42 could not be classified on attempt 1, 0.0 s into the wait: the classifier threw TypeError: Cannot read properties of undefined (reading 'status')",
  );
});

test('a probe that throws fails the wait at once', async () => {
  const clock = fakeClock();
  const error = await failureOf(
    wait(clock, scripted([processing], clock), {
      probe: async () => {
        throw new Error('apiRequestContext.get: connect ECONNREFUSED 127.0.0.1:3100\nCall log: …');
      },
    }),
  );
  expect(error.record.outcome).toBe('probe-error');
  expect(error.message).toBe(
    'Probe failed: image generation of task 42 could not be observed on attempt 1, 0.0 s into the wait: Error: apiRequestContext.get: connect ECONNREFUSED 127.0.0.1:3100',
  );
});

test('a setting missing for the role a probe uses fails as a settings error, not as a readiness error', async () => {
  const env = parseEnv({
    BASE_URL: 'http://127.0.0.1:9',
    ROLES: 'user',
    USER_AUTH: 'token',
    USER_AUTH_HEADER: 'X-API-Key',
    USER_TOKEN: '',
  });
  const context = {} as APIRequestContext; // never reached: the credential is read first
  const api = createApiClient(context, {
    auth: roleAuth(context, env, 'user', new Redactor()),
    report: async (_start, send) => send(),
  });
  const clock = fakeClock();
  const error: unknown = await wait(clock, scripted([completed], clock), {
    probe: async () => {
      await api.get('/api/v1/tasks/42');
      return completed;
    },
  }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EnvError);
  expect((error as Error).message).toBe(
    'Missing setting USER_TOKEN: role user authenticates with a static token (AUTH=token).',
  );
  // The control: any other error of the probe is the wait's, as "Probe failed" (see above).
  expect(error).not.toBeInstanceOf(PollWaitError);
});

test('the probe is told how much of the SLA is left', async () => {
  const clock = fakeClock();
  const budgets: number[] = [];
  const probe = scripted([processing, processing, completed], clock);
  await wait(clock, probe, {
    probe: async (attempt) => {
      budgets.push(attempt.timeoutMs);
      return probe.probe(attempt);
    },
  });
  expect(budgets[0]).toBe(3_000);
  expect(budgets[1]).toBeLessThan(3_000);
  expect(budgets[2]).toBeLessThan(budgets[1]!);
});

test('a failure the test provokes on purpose is recorded as provoked', async () => {
  const clock = fakeClock();
  const provoked = await failureOf(wait(clock, scripted([failed], clock), { expectedOutcome: 'terminal-failure' }));
  expect(provoked.record).toMatchObject({ outcome: 'terminal-failure', provoked: true });
  const other = await failureOf(wait(clock, scripted([failed], clock), { expectedOutcome: 'timeout' }));
  expect(other.record).toMatchObject({ outcome: 'terminal-failure', provoked: false });
});

test('a failure points at the code that waited, not at the helper', async () => {
  const clock = fakeClock();
  const error = await failureOf(wait(clock, scripted([failed], clock)));
  const firstFrame = error.stack!.split('\n')[1]!;
  expect(firstFrame).not.toContain('helpers/readiness/wait.ts');
  expect(firstFrame).toContain('readiness.spec.ts');
});

test('each attempt is reported as one step named after what it saw, inside the step of the wait', async () => {
  const clock = fakeClock();
  const steps: string[] = [];
  let depth = 0;
  const reporter = {
    step: async <T>(
      title: string,
      body: (step: {
        rename(t: string): Promise<void>;
        parameter(n: string, v: string): Promise<void>;
        attachJson(n: string, v: unknown): Promise<void>;
      }) => Promise<T>,
    ) => {
      const index = steps.push(`${'  '.repeat(depth)}${title}`) - 1;
      depth += 1;
      try {
        return await body({
          rename: async (renamed) => void (steps[index] = `${'  '.repeat(depth - 1)}${renamed}`),
          parameter: async (name, value) => void steps.push(`${'  '.repeat(depth)}${name}: ${value}`),
          attachJson: async (name) => void steps.push(`${'  '.repeat(depth)}[${name}]`),
        });
      } finally {
        depth -= 1;
      }
    },
  };
  await failureOf(wait(clock, scripted([processing, failed], clock), { reporter }));
  expect(steps).toEqual([
    'Wait for image generation: task 42 (SLA 3 s)',
    '  Attempt 1: status processing → not ready',
    '  Attempt 2: status failed → fatal',
    '  operation: image generation',
    '  outcome: terminal-failure',
    '  attempts: 2',
    '  observed time to ready: not ready (terminal-failure)',
    '  estimated time to ready: not ready (terminal-failure)',
    '  [readiness timeline]',
  ]);
});

test('with a redactor, what the wait writes into its error and record is redacted', async () => {
  const clock = fakeClock();
  const redactor = new Redactor();
  redactor.addSecret('s3cr3t-session');
  const leaky: Verdict<string> = {
    kind: 'fatal',
    category: 'unexpected-status',
    observed: 'HTTP 500 for session s3cr3t-session',
    httpStatus: 500,
    evidence: 'HTTP 500: {"error":"bad token","authorization":"Bearer abc.def-ghi"} session=s3cr3t-session',
  };
  const error = await failureOf(wait(clock, scripted([processing, leaky], clock), { redactor }));
  expect(error.message).toMatch(
    /^Unexpected HTTP status: image generation of task 42 failed on attempt 2, 0\.1 s into the wait: HTTP 500: /,
  );
  expect(error.message).toContain('session=[REDACTED]');
  expect(error.message).not.toMatch(/s3cr3t-session|abc\.def-ghi/);
  expect(error.record.timeline.map((attempt) => attempt.observed)).toEqual([
    'status processing',
    'HTTP 500 for session [REDACTED]',
  ]);
  expect(error.record.lastObservation?.observed).toBe('HTTP 500 for session [REDACTED]');

  const timeout = await failureOf(
    wait(clock, scripted([{ ...processing, observed: 'status processing for s3cr3t-session' }], clock), { redactor }),
  );
  expect(timeout.message).toContain('last status processing for [REDACTED] (HTTP 200)');
  expect(JSON.stringify(timeout.record)).not.toContain('s3cr3t-session');
});
