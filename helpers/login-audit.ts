import { z } from 'zod';
import { LOGIN_PATH } from './auth';

const Stats = z.object({
  routes: z.record(z.string(), z.object({ count: z.int(), byStatus: z.record(z.string(), z.int()) })),
});

/** Successful logins in a `GET /__demo/stats?actor=…` answer of the demo API. */
export function successfulLogins(stats: unknown): number {
  return Stats.parse(stats).routes[`POST ${LOGIN_PATH}`]?.byStatus['200'] ?? 0;
}
