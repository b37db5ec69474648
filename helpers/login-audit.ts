import { z } from 'zod';
import { LOGIN_PATH } from './auth';
import type { Role } from './env';

const Stats = z.object({
  routes: z.record(z.string(), z.object({ count: z.int(), byStatus: z.record(z.string(), z.int()) })),
});

/** Successful logins in a `GET /__demo/stats?actor=…` answer of the demo API. */
export function successfulLogins(stats: unknown): number {
  return Stats.parse(stats).routes[`POST ${LOGIN_PATH}`]?.byStatus['200'] ?? 0;
}

const WorkerLogins = z.record(z.string(), z.object({ logins: z.int(), renewals: z.int() }));
export type WorkerLogins = z.infer<typeof WorkerLogins>;

export function parseWorkerLogins(json: unknown): WorkerLogins {
  return WorkerLogins.parse(json);
}

export type RoleLoginAudit = { role: Role; serverLogins: number; workers: number; renewals: number; ok: boolean };

/**
 * The role fixtures log in once per worker, and again only to renew a token. The API's own count
 * of the role's logins must fit within that: more means some code logged in per test.
 */
export function auditRoleLogins(role: Role, serverLogins: number, workers: readonly WorkerLogins[]): RoleLoginAudit {
  const used = workers.map((worker) => worker[role]).filter((entry) => entry !== undefined);
  const renewals = used.reduce((sum, entry) => sum + entry.renewals, 0);
  return { role, serverLogins, workers: used.length, renewals, ok: serverLogins <= used.length + renewals };
}
