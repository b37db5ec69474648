import { z } from 'zod';
import { count } from '../reports/text-lines';

const Stats = z.object({
  routes: z.record(z.string(), z.object({ count: z.int(), byStatus: z.record(z.string(), z.int()) })),
});

/**
 * Successful logins in an API's request counters (LOGIN_AUDIT_PATH): an answer shaped
 * `{routes: {"POST /login": {count, byStatus: {"200": n}}}}`, as an API's test counters may give.
 */
export function successfulLogins(stats: unknown, loginRoute: string): number {
  return Stats.parse(stats).routes[loginRoute]?.byStatus['200'] ?? 0;
}

const WorkerLogins = z.record(z.string(), z.object({ logins: z.int(), renewals: z.int() }));
export type WorkerLogins = z.infer<typeof WorkerLogins>;

export function parseWorkerLogins(json: unknown): WorkerLogins {
  return WorkerLogins.parse(json);
}

export type RoleLoginAudit = {
  role: string;
  /** Logins the role sessions made, and in how many worker processes. */
  logins: number;
  workers: number;
  renewals: number;
  /** The API's own count, when it keeps one; undefined otherwise. */
  serverLogins: number | undefined;
  ok: boolean;
};

/**
 * The role sessions log in once per worker process that uses the role, and again only to renew a
 * token. The API's own count of the role's logins, where it keeps one, must fit within that: more
 * means some code logged in per test.
 */
export function auditRoleLogins(
  role: string,
  workers: readonly WorkerLogins[],
  serverLogins: number | undefined,
): RoleLoginAudit {
  const used = workers.map((worker) => worker[role]).filter((entry) => entry !== undefined);
  const logins = used.reduce((sum, entry) => sum + entry.logins, 0);
  const renewals = used.reduce((sum, entry) => sum + entry.renewals, 0);
  return {
    role,
    logins,
    workers: used.length,
    renewals,
    serverLogins,
    ok: logins <= used.length + renewals && (serverLogins === undefined || serverLogins <= logins),
  };
}

/**
 * The lines for the end of the run: a heading, then one line per role, such as
 * `  user     4 logins in 4 worker processes, no renewal, 4 seen by the API`.
 */
export function describeAudits(audits: readonly RoleLoginAudit[]): string[] {
  const width = Math.max(...audits.map((audit) => audit.role.length));
  return [
    'Role logins: one per worker process and role, and one per renewal (docs/clients-and-auth.md).',
    ...audits.map((audit) => `  ${audit.role.padEnd(width)}  ${describeAudit(audit)}`),
  ];
}

/** `4 logins in 4 worker processes, no renewal, 4 seen by the API` */
export function describeAudit(audit: RoleLoginAudit): string {
  const server = audit.serverLogins === undefined ? '' : `, ${audit.serverLogins} seen by the API`;
  const renewals = audit.renewals === 0 ? 'no renewal' : count(audit.renewals, 'renewal', 'renewals');
  return (
    `${count(audit.logins, 'login', 'logins')} in ${count(audit.workers, 'worker process', 'worker processes')}, ` +
    `${renewals}${server}`
  );
}
