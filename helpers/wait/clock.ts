/** Time as every wait sees it: the unit checks replace it with a fake one that moves when told. */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds: the pause between two polls, never a fixed sleep in a test. */
  sleep(ms: number): Promise<void>;
  /** Calls `callback` in `ms` milliseconds; the returned function cancels it. */
  after(ms: number, callback: () => void): () => void;
};

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  after: (ms, callback) => {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** A clock made of `now` and `after` alone (a fake one, say): sleeping is a timer. */
export function clockOf(time: Pick<Clock, 'now' | 'after'> & Partial<Pick<Clock, 'sleep'>>): Clock {
  return {
    now: () => time.now(),
    after: (ms, callback) => time.after(ms, callback),
    sleep: time.sleep ? (ms) => time.sleep!(ms) : (ms) => new Promise((resolve) => void time.after(ms, resolve)),
  };
}

/** A deterministic random source in [0, 1) (mulberry32), so that jitter is the same in every run. */
export function seededRandom(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state, 31) + char.charCodeAt(0)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
