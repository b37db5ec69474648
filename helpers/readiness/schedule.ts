import { percentile } from '../reports/statistics';

/** What the next wait between two polls is based on. */
export type ScheduleBasis = 'retry-after' | 'learned' | 'backoff';

export type ScheduleInput = {
  /** Attempts made so far (0 before the first one). */
  attempts: number;
  /** Time since the wait started. */
  elapsedMs: number;
  /** The server's hint from the last observation, when it gave one and it is honoured. */
  retryAfterMs?: number | undefined;
  /** Earlier times to ready of the same operation, in any order. */
  learnedMs: readonly number[];
  random: () => number;
};

export type SchedulePlan = { delayMs: number; basis: ScheduleBasis };

// Below this many earlier waits, nothing is considered known about the operation.
export const MIN_LEARNED_SAMPLES = 5;
// Readiness usually happens between these percentiles of the earlier times to ready; the first poll
// goes out at the lower one and polls follow quickly until the upper one.
const USUAL_FROM = 5;
const USUAL_UNTIL = 99;
// How many polls cover that usual span: the balance between requests and wait after readiness
// that `npm run bench:polling` measured best (see the README).
const POLLS_PER_USUAL_SPAN = 15;
const MIN_GAP_MS = 50;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_CAP_MS = 1_000;
// Past the usual span, each wait is this share of the time already spent (but never shorter).
const TAIL_SHARE = 0.1;

/**
 * The wait before the next poll, as close to the moment of readiness as is known:
 * the server's Retry-After when it sends one; otherwise, from earlier waits of the same operation,
 * a first poll when readiness usually starts and quick polls while it usually happens; otherwise
 * capped exponential backoff with jitter.
 */
export function planNextPoll(input: ScheduleInput): SchedulePlan {
  if (input.retryAfterMs !== undefined) return { delayMs: Math.max(0, input.retryAfterMs), basis: 'retry-after' };
  if (input.learnedMs.length >= MIN_LEARNED_SAMPLES) return planFromLearned(input);
  if (input.attempts === 0) return { delayMs: 0, basis: 'backoff' };
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** (input.attempts - 1));
  const jitter = 0.8 + 0.4 * input.random();
  return { delayMs: Math.round(exponential * jitter), basis: 'backoff' };
}

function planFromLearned({ attempts, elapsedMs, learnedMs }: ScheduleInput): SchedulePlan {
  const usualFrom = percentile(learnedMs, USUAL_FROM);
  const usualUntil = percentile(learnedMs, USUAL_UNTIL);
  const gap = Math.max(MIN_GAP_MS, (usualUntil - usualFrom) / POLLS_PER_USUAL_SPAN);
  let delay: number;
  if (attempts === 0 || elapsedMs < usualFrom) delay = Math.max(0, usualFrom - elapsedMs);
  else if (elapsedMs < usualUntil) delay = gap;
  else delay = Math.max(gap, TAIL_SHARE * elapsedMs);
  return { delayMs: Math.round(delay), basis: 'learned' };
}
