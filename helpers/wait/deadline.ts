import type { Clock } from './clock';

/**
 * A wait's SLA as one deadline: how much is left, a signal when it is reached, and the work still in
 * flight (a poll sent before it, a fallback poll) that the wait lets finish before its record closes.
 */
export class Deadline {
  readonly startedAt: number;
  readonly at: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private signal: Promise<'deadline'> | undefined;
  private cancel: () => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    readonly slaMs: number,
  ) {
    this.startedAt = clock.now();
    this.at = this.startedAt + slaMs;
  }

  elapsedMs(): number {
    return this.clock.now() - this.startedAt;
  }

  remainingMs(): number {
    return this.at - this.clock.now();
  }

  passed(): boolean {
    return this.clock.now() >= this.at;
  }

  /** Resolves when the deadline is reached: one timer, set on first use, cleared by `clear`. */
  get reached(): Promise<'deadline'> {
    this.signal ??= new Promise((resolve) => {
      this.cancel = this.clock.after(this.remainingMs(), () => resolve('deadline'));
    });
    return this.signal;
  }

  /** Work the wait started and lets finish (it gives up at the deadline) before its record closes. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<void> = work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
    return work;
  }

  /** The same as track, for work nobody awaits but the wait's end. */
  letFinish(work: Promise<unknown>): void {
    this.track(work).catch(() => undefined);
  }

  /** Resolves when every piece of work tracked so far has settled. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  clear(): void {
    this.cancel();
  }
}
