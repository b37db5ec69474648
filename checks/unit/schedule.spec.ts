import { MIN_LEARNED_SAMPLES, planNextPoll } from '../../helpers/readiness/schedule';
import { expect, test } from '../../fixtures';

const nothingLearned = { learnedMs: [], random: () => 0.5 };

test('a Retry-After hint is followed as given', () => {
  expect(planNextPoll({ ...nothingLearned, attempts: 3, elapsedMs: 2_000, retryAfterMs: 1_250 })).toEqual({
    delayMs: 1_250,
    basis: 'retry-after',
  });
});

test('with nothing known: poll at once, then capped exponential backoff with jitter', () => {
  const delays = [0, 1, 2, 3, 4, 5, 6, 7].map(
    (attempts) => planNextPoll({ ...nothingLearned, attempts, elapsedMs: 0 }).delayMs,
  );
  expect(delays).toEqual([0, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
  const jittered = [0, 0.999].map((r) => planNextPoll({ learnedMs: [], random: () => r, attempts: 3, elapsedMs: 0 }));
  expect(jittered.map((plan) => plan.delayMs)).toEqual([320, 480]);
});

test('with earlier waits known: first poll when readiness usually starts, quick polls while it usually happens', () => {
  const learnedMs = Array.from({ length: 20 }, (_, i) => 1_000 + 100 * i); // 1000 … 2900
  const plan = (attempts: number, elapsedMs: number) =>
    planNextPoll({ learnedMs, random: () => 0.5, attempts, elapsedMs });
  expect(plan(0, 0)).toEqual({ delayMs: 1_000, basis: 'learned' }); // the 5th percentile
  expect(plan(1, 500)).toEqual({ delayMs: 500, basis: 'learned' }); // still before it
  expect(plan(1, 1_010)).toEqual({ delayMs: 127, basis: 'learned' }); // (2900 - 1000) / 15 apart
  expect(plan(9, 2_850)).toEqual({ delayMs: 127, basis: 'learned' }); // up to the 99th percentile
  expect(plan(10, 2_950)).toEqual({ delayMs: 295, basis: 'learned' }); // past it: 10 % of the time spent
  expect(plan(10, 6_000)).toEqual({ delayMs: 600, basis: 'learned' });
});

test(`fewer than ${MIN_LEARNED_SAMPLES} earlier waits are not enough to learn from`, () => {
  const plan = planNextPoll({ learnedMs: [500, 600, 700, 800], random: () => 0.5, attempts: 0, elapsedMs: 0 });
  expect(plan).toEqual({ delayMs: 0, basis: 'backoff' });
});
