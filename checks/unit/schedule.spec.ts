import type { Bracket, PastWait } from '../../helpers/readiness/history';
import {
  MIN_LEARNED_SAMPLES,
  REQUEST_COST_MS,
  type ScheduleInput,
  planNextPoll,
  quantile,
  shareReadyBy,
} from '../../helpers/readiness/schedule';
import { expect, test } from '../../fixtures';

const nothingLearned = { learned: [], random: () => 0.5 };
/** Earlier waits seen ready at these times, exactly (brackets of no width). */
const readyAt = (times: readonly number[]): PastWait[] =>
  times.map((ms) => ({ ready: { fromMs: ms, toMs: ms }, phases: [] }));
const oneToThreeSeconds = readyAt(Array.from({ length: 20 }, (_, i) => 1_000 + 100 * i)); // 1000 … 2900
const plan = (learned: readonly PastWait[], attempts: number, elapsedMs: number, extra: Partial<ScheduleInput> = {}) =>
  planNextPoll({ learned, random: () => 0.5, attempts, elapsedMs, ...extra });

test('with nothing known: poll at once, then capped exponential backoff with jitter', () => {
  const delays = [0, 1, 2, 3, 4, 5, 6, 7].map(
    (attempts) => planNextPoll({ ...nothingLearned, attempts, elapsedMs: 0 }).delayMs,
  );
  expect(delays).toEqual([0, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
  const jittered = [0, 0.999].map((r) => planNextPoll({ learned: [], random: () => r, attempts: 3, elapsedMs: 0 }));
  expect(jittered.map((next) => next.delayMs)).toEqual([320, 480]);
});

test(`fewer than ${MIN_LEARNED_SAMPLES} earlier waits are not enough to learn from`, () => {
  expect(plan(readyAt([500, 600, 700, 800]), 0, 0)).toEqual({ delayMs: 0, basis: 'backoff' });
});

test('with earlier waits known: the first poll when readiness becomes likely, then as often as its chance is worth a request', () => {
  // Nothing was ever ready before 1 s: the first poll waits until then.
  expect(plan(oneToThreeSeconds, 0, 0)).toEqual({ delayMs: 1_000, basis: 'learned' });
  // Not ready at 1010 ms: of the 19 earlier waits still to come, 3 were ready by 1300 ms, and 290 × 3/19
  // is more than twice what a request costs, while 289 × 2/19 is less: the least wait worth a request.
  expect(2 * REQUEST_COST_MS).toBe(34);
  expect(plan(oneToThreeSeconds, 1, 1_010)).toEqual({ delayMs: 291, basis: 'learned' });
  // Not ready at 2 s: 2 of the 9 still to come were ready within 200 ms (200 × 2/9 > 34).
  expect(plan(oneToThreeSeconds, 5, 2_000)).toEqual({ delayMs: 200, basis: 'learned' });
  // Past the 99th percentile, too few earlier waits are left: 10 % of the time spent so far.
  expect(plan(oneToThreeSeconds, 10, 2_950)).toEqual({ delayMs: 295, basis: 'learned' });
  expect(plan(oneToThreeSeconds, 10, 6_000)).toEqual({ delayMs: 600, basis: 'learned' });
});

test('polls come quickly where earlier waits were often ready, and never wait long across a gap in them', () => {
  // 18 of 20 earlier waits were ready between 1000 and 1085 ms, the other two after 3 s.
  const mostlyQuick = readyAt([...Array.from({ length: 18 }, (_, i) => 1_000 + 5 * i), 3_000, 3_100]);
  expect(plan(mostlyQuick, 1, 1_010).delayMs).toBe(55);
  // Nothing known between 1085 and 3000 ms: at most half the time already spent, not a jump to 3 s.
  expect(plan(mostlyQuick, 4, 1_100).delayMs).toBe(550);
  expect(plan(mostlyQuick, 5, 1_650).delayMs).toBe(825);
});

test("the server's Retry-After is a floor: never a poll before it, a later one when the plan says so", () => {
  expect(plan([], 3, 2_000, { retryAfterMs: 1_250 })).toEqual({ delayMs: 1_250, basis: 'retry-after' });
  expect(plan(oneToThreeSeconds, 1, 1_010, { retryAfterMs: 1_000 })).toEqual({ delayMs: 1_000, basis: 'retry-after' });
  // Nothing was ever ready within the hint's 300 ms: the plan's first poll comes later.
  expect(plan(oneToThreeSeconds, 0, 0, { retryAfterMs: 300 })).toEqual({ delayMs: 1_000, basis: 'learned' });
});

test('a bracket counts as spread over its span: a history written under a coarse hint stays usable', () => {
  expect(shareReadyBy([{ fromMs: 1_000, toMs: 2_000 }], 1_250)).toBe(0.25);
  expect(quantile([{ fromMs: 0, toMs: 1_000 }], 0.5)).toBe(500);
  // Waits ready between 1 and 3 s, polled once a second: each one knows the second it was ready in.
  const brackets: Bracket[] = Array.from({ length: 20 }, (_, i) =>
    i < 10 ? { fromMs: 1_000, toMs: 2_000 } : { fromMs: 2_000, toMs: 3_000 },
  );
  const coarse = brackets.map((ready) => ({ ready, phases: [] }));
  expect(plan(coarse, 0, 0).delayMs).toBe(1_064);
  // The control: the same waits learned as the middle of their brackets poll first when half were ready.
  const rounded = readyAt(brackets.map(({ fromMs, toMs }) => (fromMs + toMs) / 2));
  expect(plan(rounded, 0, 0).delayMs).toBe(1_500);
});

test('a wait found ready by its first answer is not taken to have been ready since its start', () => {
  // Half the earlier waits were seen not ready until 1–1.9 s; the other half were ready at a first poll at 2 s.
  const seenNotReady = Array.from({ length: 10 }, (_, i) => ({ fromMs: 1_000 + 100 * i, toMs: 1_050 + 100 * i }));
  const readyAtOnce = Array.from({ length: 10 }, () => ({ fromMs: 0, toMs: 2_000 }));
  const learned = [...seenNotReady, ...readyAtOnce].map((ready) => ({ ready, phases: [] }));
  // Those ready at once count from 1 s on, when the others were first seen not ready.
  expect(plan(learned, 0, 0).delayMs).toBeGreaterThanOrEqual(1_000);
  // The control: waits truly seen not ready at 1 ms, and ready by 2 s, do pull the first poll sooner.
  const seenAt1Ms = learned.map(({ ready }) => ({ ready: { ...ready, fromMs: ready.fromMs || 1 }, phases: [] }));
  expect(plan(seenAt1Ms, 0, 0).delayMs).toBeLessThan(600);
});

// Earlier waits of a busy queue: 8th in line, queued about 4 s, then processed in about half a second.
const learnedOnABusyQueue: PastWait[] = Array.from({ length: 10 }, (_, i) => {
  const leftTheQueue = { fromMs: 3_950, toMs: 4_000 };
  const ready = { fromMs: 4_450 + 10 * i, toMs: 4_550 + 10 * i };
  return {
    ready,
    phases: [
      { phase: 'queued', entered: { fromMs: 0, toMs: 0 }, left: leftTheQueue, queuePosition: 8 },
      { phase: 'processing', entered: leftTheQueue, left: ready, queuePosition: undefined },
    ],
  };
});

test('an operation that goes through several phases is asked at once where it is', () => {
  expect(plan(learnedOnABusyQueue, 0, 0)).toEqual({ delayMs: 0, basis: 'learned' });
  // The control: without phases, the same times to ready put the first poll at 4.46 s.
  const withoutPhases = learnedOnABusyQueue.map(({ ready }) => ({ ready, phases: [] }));
  expect(plan(withoutPhases, 0, 0).delayMs).toBe(4_458);
});

test('in a phase, the next poll is planned from when the subject entered it, not from the start of the wait', () => {
  // Queued for 6 s this time, far longer than usual; processing since about 6 s.
  const current = { phase: 'processing', entered: { fromMs: 6_000, toMs: 6_040 } };
  const next = plan(learnedOnABusyQueue, 9, 6_040, { current });
  // From its entry (6020 ms, the middle of the bracket), processing took 450–690 ms: a poll 484 ms after it.
  expect(next).toEqual({ delayMs: 464, basis: 'learned' });
  // The control: from the start of the wait, 6 s is past every earlier wait: 10 % of it.
  expect(plan(learnedOnABusyQueue, 9, 6_040).delayMs).toBe(604);
});

test('a place in the queue scales what a busy queue taught to a short one', () => {
  // Second in line, 100 ms into the wait; the earlier waits were 8th and queued about 4 s.
  const current = { phase: 'queued', entered: { fromMs: 0, toMs: 0 }, queuePosition: { value: 2, atMs: 100 } };
  const next = plan(learnedOnABusyQueue, 1, 100, { current });
  // 2/8 of about 4 s queued, then about half a second of processing: ready 1.44 s after that answer at the soonest.
  expect(next.delayMs).toBeGreaterThan(1_300);
  expect(next.delayMs).toBeLessThan(1_500);
  // The control: without the position, the queue is taken to be as long as it was: 4.3 s and more.
  const { queuePosition: _, ...withoutPosition } = current;
  expect(plan(learnedOnABusyQueue, 1, 100, { current: withoutPosition }).delayMs).toBeGreaterThan(4_300);
});
