/**
 * The workers that run image generation tasks: a fixed number of slots fed by one FIFO queue. A task
 * waits, `queued`, until a slot is free, and is `processing` from the moment a slot takes it, so time
 * to ready grows with the load, as on a real job system.
 *
 * Durations are known at submission (seeded), so the schedule is computed then: each task in turn
 * takes the slot that frees first. That is exactly a FIFO queue served by the first free worker, and
 * it needs no timer: a task's state at any moment is derived from its start and end.
 */
export class WorkerPool {
  private readonly freeAt: number[];
  /** The start of every task so far, in the order of submission: never decreasing. */
  private readonly starts: number[] = [];

  constructor(readonly slots: number) {
    this.freeAt = Array.from({ length: slots }, () => Number.NEGATIVE_INFINITY);
  }

  /**
   * Queues a task submitted at `now` that keeps its worker busy for `busyMs`: returns its place in
   * the order of submission and when a slot takes it.
   */
  enqueue(now: number, busyMs: number): { order: number; startsAt: number } {
    let slot = 0;
    for (let i = 1; i < this.freeAt.length; i += 1) if (this.freeAt[i]! < this.freeAt[slot]!) slot = i;
    const startsAt = Math.max(now, this.freeAt[slot]!);
    this.freeAt[slot] = startsAt + busyMs;
    return { order: this.starts.push(startsAt) - 1, startsAt };
  }

  /** The place in the queue at `now` of the task of that order: 1 when it is next; null once a slot took it. */
  queuePosition(order: number, now: number): number | null {
    if (this.starts[order]! <= now) return null;
    // Starts never decrease with the order: the first task still waiting is found by bisection.
    let low = 0;
    let high = order;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.starts[middle]! > now) high = middle;
      else low = middle + 1;
    }
    return order - low + 1;
  }
}
