import type { Bracket, PastWait, PhaseVisit } from './history';

/** What the next wait between two polls is based on. */
export type ScheduleBasis = 'retry-after' | 'learned' | 'backoff';

/** Where the subject of a wait is now: the not-ready phase its last answer showed, and its queue position. */
export type CurrentPhase = {
  phase: string;
  /** When it entered the phase, from the start of the wait. */
  entered: Bracket;
  /** The place in the queue the last answer gave, and when that answer came (from the start of the wait). */
  queuePosition?: { value: number; atMs: number } | undefined;
};

export type ScheduleInput = {
  /** Attempts made so far (0 before the first one). */
  attempts: number;
  /** Time since the wait started. */
  elapsedMs: number;
  /** The server's hint from the last observation, when it gave one and it is honoured: a floor. */
  retryAfterMs?: number | undefined;
  /** Earlier ready waits of the same operation, in any order. */
  learned: readonly PastWait[];
  /** Where the subject is, when the classifier names phases; undefined before the first answer. */
  current?: CurrentPhase | undefined;
  random: () => number;
};

export type SchedulePlan = { delayMs: number; basis: ScheduleBasis };

// Below this many earlier waits (or visits of a phase), nothing is considered known about them.
export const MIN_LEARNED_SAMPLES = 5;
// What one request is worth, in milliseconds of a client's wait after readiness: the balance between
// requests and wait after readiness that `npm run bench:polling` measured best (see the README).
export const REQUEST_COST_MS = 17;
const MIN_GAP_MS = 50;
// Readiness usually starts at this share of the earlier waits; beyond the second one, too few are
// left to learn from, and each wait is a share of the time already spent in the phase.
const USUAL_FROM = 0.05;
const USUAL_UNTIL = 0.99;
const TAIL_SHARE = 0.1;
// Where the earlier waits leave a gap, no wait is longer than this share of the time already spent in
// the phase (once readiness usually starts): a few waits are too few to be sure nothing happens there.
const MAX_SHARE = 0.5;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_CAP_MS = 1_000;

/**
 * The wait before the next poll, as close to the moment of readiness as is known. From earlier waits
 * of the same operation: the time to ready from the moment the subject entered the phase it is in now
 * (or from its place in a queue, or from the start of the wait), and the next poll when waiting longer
 * would cost more wait after readiness than a request is worth. Without earlier waits: at once, then
 * capped exponential backoff with jitter. The server's Retry-After, when honoured, is a floor: never
 * a poll before it.
 */
export function planNextPoll(input: ScheduleInput): SchedulePlan {
  const plan = input.learned.length >= MIN_LEARNED_SAMPLES ? planFromLearned(input) : backoff(input);
  if (input.retryAfterMs !== undefined && input.retryAfterMs >= plan.delayMs) {
    return { delayMs: Math.max(0, input.retryAfterMs), basis: 'retry-after' };
  }
  return plan;
}

function backoff({ attempts, random }: ScheduleInput): SchedulePlan {
  if (attempts === 0) return { delayMs: 0, basis: 'backoff' };
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** (attempts - 1));
  const jitter = 0.8 + 0.4 * random();
  return { delayMs: Math.round(exponential * jitter), basis: 'backoff' };
}

function planFromLearned({ attempts, elapsedMs, learned: taught, current }: ScheduleInput): SchedulePlan {
  const learned = readyNoSoonerThanSeen(taught);
  const learnedPlan = (delayMs: number): SchedulePlan => ({ delayMs: Math.round(delayMs), basis: 'learned' });
  const fromTheStart = () =>
    delayUntilNextPoll(
      learned.map(({ ready }) => ({ left: ready, ready })),
      elapsedMs,
      elapsedMs,
    );
  if (current === undefined) {
    // Where a wait starts is not known for an operation that goes through several phases (a queue,
    // then the work): one answer tells.
    return learnedPlan(attempts === 0 && phasesOf(learned).size > 1 ? 0 : fromTheStart());
  }
  const inPhaseMs = elapsedMs - (current.entered.fromMs + current.entered.toMs) / 2;
  const position = current.queuePosition;
  const fromPosition = position ? coursesFromPosition(learned, current.phase, position.value) : [];
  if (position && fromPosition.length >= MIN_LEARNED_SAMPLES) {
    return learnedPlan(delayUntilNextPoll(fromPosition, elapsedMs - position.atMs, inPhaseMs));
  }
  const fromEntry = coursesFromEntry(learned, current.phase);
  if (fromEntry.length < MIN_LEARNED_SAMPLES) return learnedPlan(fromTheStart());
  // A phase that lasts longer than ever is not left unseen: the one after it may be short.
  const next = timesAfterLeaving(learned, current.phase);
  const soonestNext = next.length >= MIN_LEARNED_SAMPLES ? quantile(next, USUAL_FROM) : undefined;
  return learnedPlan(delayUntilNextPoll(fromEntry, inPhaseMs, inPhaseMs, soonestNext));
}

/**
 * A wait found ready by its first answer only says it was ready by then, not since its start: taken
 * to have become ready no sooner than any earlier wait was seen not ready yet. Spread back to the
 * start of the wait instead, such waits would pull the first poll ever sooner.
 */
function readyNoSoonerThanSeen(learned: readonly PastWait[]): readonly PastWait[] {
  const seenNotReady = learned.filter(({ ready }) => ready.fromMs > 0).map(({ ready }) => ready.fromMs);
  if (seenNotReady.length === learned.length) return learned;
  const soonest = Math.min(...seenNotReady);
  return learned.map((wait) =>
    wait.ready.fromMs > 0
      ? wait
      : { ...wait, ready: { fromMs: Math.min(soonest, wait.ready.toMs), toMs: wait.ready.toMs } },
  );
}

/**
 * The course of an earlier wait from a moment in it (entering a phase, an answer in a queue): when
 * it left that phase, and when it was ready. Without phases, both are when it was ready.
 */
export type Course = { left: Bracket; ready: Bracket };

/**
 * How long to wait, `sinceMs` after the anchor of `courses`, before the next poll. Of the earlier
 * courses, those still in the phase as long after the anchor say what comes next, each as likely as
 * it was still in it. With h the chance per millisecond of becoming ready, a wait of d costs on
 * average h·d²/2 of wait after readiness, plus one request: the least cost per millisecond is at
 * d = √(2·cost/h). With a chance that varies, that is the least d for which d × P(ready within d |
 * still in the phase) reaches twice the cost of a request. `inPhaseMs` (time spent in the current
 * phase) paces the tail, never slower than `tailCapMs` when given (how soon the phases after this
 * one are usually over).
 */
export function delayUntilNextPoll(
  courses: readonly Course[],
  sinceMs: number,
  inPhaseMs: number,
  tailCapMs = Number.POSITIVE_INFINITY,
): number {
  const tail = Math.max(MIN_GAP_MS, Math.min(TAIL_SHARE * inPhaseMs, tailCapMs));
  const stillIn = courses.map(({ left }) => 1 - shareReadyBy([left], sinceMs));
  const weight = stillIn.reduce((sum, share) => sum + share, 0);
  if (weight <= (1 - USUAL_UNTIL) * courses.length) return tail;
  const readyWithin = (delay: number) =>
    courses.reduce((sum, { ready }, i) => {
      const by = shareReadyBy([ready], sinceMs);
      const within = by >= 1 ? 1 : (shareReadyBy([ready], sinceMs + delay) - by) / (1 - by);
      return sum + stillIn[i]! * within;
    }, 0) / weight;
  const score = (delay: number) => delay * readyWithin(delay);
  const target = 2 * REQUEST_COST_MS;
  let low = 0;
  let high = Math.max(...courses.map(({ ready }) => ready.toMs)) - sinceMs;
  if (score(high) >= target) {
    while (high - low > 1) {
      const middle = (low + high) / 2;
      if (score(middle) >= target) high = middle;
      else low = middle;
    }
  }
  const readies = courses.map(({ ready }) => ready);
  const longest = Math.max(quantile(readies, USUAL_FROM) - sinceMs, MAX_SHARE * inPhaseMs, tail);
  return Math.max(MIN_GAP_MS, Math.min(high, longest));
}

/** The share of the brackets by `ms`: each one spread evenly over its span (a point when it has none). */
export function shareReadyBy(times: readonly Bracket[], ms: number): number {
  let share = 0;
  for (const { fromMs, toMs } of times) {
    if (toMs <= fromMs) share += ms >= fromMs ? 1 : 0;
    else share += Math.min(1, Math.max(0, (ms - fromMs) / (toMs - fromMs)));
  }
  return share / times.length;
}

/** The least time by which `share` (0–1) of the brackets is reached, to a millisecond. */
export function quantile(times: readonly Bracket[], share: number): number {
  let low = Math.min(...times.map((time) => time.fromMs));
  let high = Math.max(...times.map((time) => time.toMs));
  while (high - low > 1) {
    const middle = (low + high) / 2;
    if (shareReadyBy(times, middle) >= share) high = middle;
    else low = middle;
  }
  return high;
}

function phasesOf(learned: readonly PastWait[]): Set<string> {
  return new Set(learned.flatMap((wait) => wait.phases.map((visit) => visit.phase)));
}

/** The courses of the earlier waits from entering `phase`, one per visit of it. */
export function coursesFromEntry(learned: readonly PastWait[], phase: string): Course[] {
  return learned.flatMap((wait) =>
    wait.phases
      .filter((visit): visit is PhaseVisit & { left: Bracket } => visit.phase === phase && visit.left !== undefined)
      .map((visit) => ({ left: between(visit.entered, visit.left), ready: between(visit.entered, wait.ready) })),
  );
}

/** Times to ready from leaving `phase` for another not-ready one, one per such visit in the earlier waits. */
export function timesAfterLeaving(learned: readonly PastWait[], phase: string): Bracket[] {
  return learned.flatMap((wait) =>
    wait.phases
      .filter((visit, index) => visit.phase === phase && visit.left && index < wait.phases.length - 1)
      .map((visit) => between(visit.left!, wait.ready)),
  );
}

/**
 * The courses of the earlier waits from an answer at `position` in the queue of `phase`: their time
 * in the queue, scaled from their position to this one, then their time from leaving it to ready.
 * Scaled, a queue learnt busy still tells how long a short one takes.
 */
export function coursesFromPosition(learned: readonly PastWait[], phase: string, position: number): Course[] {
  return learned.flatMap((wait) =>
    wait.phases
      .filter((visit): visit is PhaseVisit & { left: Bracket; queuePosition: number } =>
        Boolean(visit.phase === phase && visit.left && visit.queuePosition && visit.queuePosition > 0),
      )
      .map((visit) => {
        const queued = between(visit.entered, visit.left);
        const after = between(visit.left, wait.ready);
        const scale = position / visit.queuePosition;
        const left = { fromMs: queued.fromMs * scale, toMs: queued.toMs * scale };
        return { left, ready: { fromMs: left.fromMs + after.fromMs, toMs: left.toMs + after.toMs } };
      }),
  );
}

/** How long from one bracketed moment to a later one: at least and at most. */
function between(from: Bracket, to: Bracket): Bracket {
  return { fromMs: Math.max(0, to.fromMs - from.toMs), toMs: Math.max(0, to.toMs - from.fromMs) };
}
