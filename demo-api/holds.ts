import { randomUUID } from 'node:crypto';

// A hold keeps requests in flight until a test releases it; a forgotten hold lets go on its own.
const HOLD_LIFETIME_MS = 60_000;

type Hold = { waiters: Array<() => void>; timer: NodeJS.Timeout };

export class Holds {
  private readonly holds = new Map<string, Hold>();

  create(): string {
    const id = `hold_${randomUUID()}`;
    const timer = setTimeout(() => this.release(id), HOLD_LIFETIME_MS);
    timer.unref();
    this.holds.set(id, { waiters: [], timer });
    return id;
  }

  has(id: string): boolean {
    return this.holds.has(id);
  }

  /** Resolves when the hold is released. */
  wait(id: string): Promise<void> {
    const hold = this.holds.get(id);
    if (!hold) return Promise.resolve();
    return new Promise((resolve) => hold.waiters.push(resolve));
  }

  waiting(id: string): number | undefined {
    return this.holds.get(id)?.waiters.length;
  }

  release(id: string): number | undefined {
    const hold = this.holds.get(id);
    if (!hold) return undefined;
    this.holds.delete(id);
    clearTimeout(hold.timer);
    for (const resolve of hold.waiters) resolve();
    return hold.waiters.length;
  }

  releaseAll(): void {
    for (const id of [...this.holds.keys()]) this.release(id);
  }
}
