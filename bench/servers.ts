import type { Env } from '../helpers/env';

/**
 * The demo API instances the polling benchmark starts beside the suite's, each with the settings of
 * its scenario, so that a demo API started by hand (whatever its settings) is never measured instead.
 */
export const BENCH_SERVERS = {
  // As many slots as tasks in flight: a task never waits for a worker.
  'without queueing': { portOffset: 2, settings: { DEMO_WORKER_SLOTS: '1000' } },
  // A busy job system: two workers, ten tasks in flight, durations of median 0.8 s and p95 3 s.
  queueing: {
    portOffset: 3,
    settings: { DEMO_WORKER_SLOTS: '2', DEMO_TASK_MEDIAN_MS: '800', DEMO_TASK_P95_MS: '3000' },
  },
} as const;

export type BenchServer = keyof typeof BENCH_SERVERS;

/** Where a bench server listens: after the embedded API's port (the replay add-on takes the next one). */
export function benchServerPort(env: Env, server: BenchServer): number | undefined {
  return env.embeddedApi && env.embeddedApi.port + BENCH_SERVERS[server].portOffset;
}
