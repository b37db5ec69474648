import { InMemoryHistory } from '../../helpers/readiness/history';
import { ReadinessError, type Verdict, type WaitOptions, waitUntilReady } from '../../helpers/readiness/wait';
import { expect, test } from '../../fixtures';

// A fake clock: sleeping moves time forward at once, so these tests take no real time.
function fakeClock() {
  let now = 1_000_000;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
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
 * A probe that answers the given verdicts in turn (the last one for ever), each after `latencyMs`;
 * like a Playwright request with a timeout, it gives up when its time budget runs out first.
 */
function scripted(verdicts: Verdict<string>[], clock: ReturnType<typeof fakeClock>, latencyMs = 10) {
  let calls = 0;
  return {
    probe: async ({ timeoutMs }: { timeoutMs: number }) => {
      calls += 1;
      clock.advance(Math.min(latencyMs, timeoutMs));
      if (latencyMs > timeoutMs) throw new Error(`apiRequestContext.get: Timeout ${timeoutMs}ms exceeded.`);
      return verdicts[Math.min(calls - 1, verdicts.length - 1)]!;
    },
    classify: (verdict: Verdict<string>) => verdict,
    calls: () => calls,
  };
}

function wait(
  clock: ReturnType<typeof fakeClock>,
  probe: ReturnType<typeof scripted>,
  extra: Partial<WaitOptions<Verdict<string>, string>> = {},
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

async function failureOf(promise: Promise<unknown>): Promise<ReadinessError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReadinessError);
  return error as ReadinessError;
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
    timeToReadyMs: 10,
    bracket: { lastNotReadyMs: undefined, firstReadyMs: 10 },
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
  expect(record.timeToReadyMs).toBe(record.bracket.firstReadyMs);
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
  const error = await failureOf(wait(clock, scripted([processing], clock)));
  const attempts = error.record.attempts;
  expect(attempts).toBeGreaterThan(3);
  expect(error.record.outcome).toBe('timeout');
  expect(error.message).toBe(
    `Readiness timeout: image generation of task 42 not ready within the 3 s SLA: last status processing (HTTP 200) after ${attempts} attempts in 3.0 s`,
  );
  expect(clock.now() - started).toBeLessThanOrEqual(3_000);
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

test('with earlier waits of the operation known, the first poll comes when readiness usually starts', async () => {
  const clock = fakeClock();
  const history = new InMemoryHistory();
  for (const ms of [900, 1_000, 1_100, 1_200, 1_300, 1_400, 1_500, 1_600, 1_700, 1_800]) {
    history.recordTimeToReady('image generation', ms);
  }
  const { record } = await wait(clock, scripted([processing, processing, completed], clock), { history });
  expect(record.timeline.map((attempt) => [attempt.startedAtMs, attempt.basis])).toEqual([
    [900, 'learned'], // the 5th percentile of the earlier waits
    [970, 'learned'], // then (1800 - 900) / 15 = 60 ms after each answer (10 ms latency)
    [1_040, 'learned'],
  ]);
  // It learns the middle of the bracket in which readiness happened.
  expect(history.timesToReadyMs('image generation').at(-1)).toBe((980 + 1_050) / 2);
});

test('only ready waits teach the history', async () => {
  const clock = fakeClock();
  const history = new InMemoryHistory();
  await failureOf(wait(clock, scripted([failed], clock), { history }));
  await failureOf(wait(clock, scripted([processing], clock), { history }));
  expect(history.timesToReadyMs('image generation')).toEqual([]);
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
  expect(firstFrame).not.toContain('helpers/readiness.ts');
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
    '  time to ready: not ready (terminal-failure)',
    '  [readiness timeline]',
  ]);
});
