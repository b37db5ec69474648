import type { APIRequestContext } from '@playwright/test';
import { type Env, roleCredentials } from '../helpers/env';
import { successfulLogins } from '../helpers/http/login-audit';

// Global setup and teardown run in the same process: the counts before the run travel in it.
const BEFORE_THE_RUN = 'LOGIN_COUNTS_BEFORE_THE_RUN';

/** The API's count of a password role's successful logins (LOGIN_AUDIT_PATH); undefined for other roles. */
export async function serverLogins(
  context: APIRequestContext,
  env: Env,
  auditPath: string,
  role: string,
): Promise<number | undefined> {
  const credentials = roleCredentials(env, role);
  if (credentials.strategy !== 'password' || !env.login.path) return undefined;
  const response = await context.get(auditPath, { params: { actor: credentials.username } });
  return successfulLogins(await response.json(), `POST ${env.login.path}`);
}

/** Notes the counts before any test, so that an API started by hand and reused counts only this run. */
export async function noteLoginsBeforeTheRun(context: APIRequestContext, env: Env, auditPath: string) {
  const counts: Record<string, number> = {};
  for (const role of env.roles) {
    try {
      const seen = await serverLogins(context, env, auditPath, role);
      if (seen !== undefined) counts[role] = seen;
    } catch {
      // A role without credentials is not used by this run; the teardown skips it as well.
    }
  }
  process.env[BEFORE_THE_RUN] = JSON.stringify(counts);
}

export function loginsBeforeTheRun(): Record<string, number> {
  return JSON.parse(process.env[BEFORE_THE_RUN] ?? '{}') as Record<string, number>;
}
