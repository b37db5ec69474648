import type { TaskState } from './tasks';

/**
 * What a not-finished task answers in `Retry-After` (whole seconds, as the standard has it):
 * - `estimate`: when the task is expected to be done, from its place in the queue and the typical
 *   duration of a task, to the nearest second (at least 1);
 * - a number: that many seconds, whatever the task's state, as many real APIs do;
 * - `none`: no Retry-After at all.
 */
export type RetryAfterMode = { kind: 'estimate' } | { kind: 'constant'; seconds: number } | { kind: 'none' };

export const RETRY_AFTER_MODES = 'estimate, none or a whole number of seconds';

/** A mode from its text: `estimate`, `none` or whole seconds (`1`); undefined for anything else. */
export function parseRetryAfterMode(text: string): RetryAfterMode | undefined {
  const value = text.trim();
  if (value === 'estimate' || value === 'none') return { kind: value };
  if (/^\d+$/.test(value) && Number(value) >= 1) return { kind: 'constant', seconds: Number(value) };
  return undefined;
}

export type Workload = {
  /** The typical (median) duration of a task, as the server knows it; not the duration of this one. */
  typicalMs: number;
  slots: number;
  /** When a worker took the task (for a processing one), in milliseconds since the epoch. */
  startedAt: number;
};

/** The seconds of `Retry-After` for a task in a state that is not terminal; undefined for none. */
export function retryAfterSeconds(mode: RetryAfterMode, state: TaskState, workload: Workload, now: number) {
  if (mode.kind === 'none') return undefined;
  if (mode.kind === 'constant') return mode.seconds;
  const { typicalMs, slots, startedAt } = workload;
  // Those ahead in the queue take a slot each; the slots work in parallel, then this task takes its own time.
  const remainingMs =
    state.queuePosition !== null
      ? (state.queuePosition / slots) * typicalMs + typicalMs
      : typicalMs - (now - startedAt);
  return Math.max(1, Math.round(remainingMs / 1000));
}
