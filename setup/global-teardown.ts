import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type FullConfig, request } from '@playwright/test';
import { readEnv } from '../helpers/env';
import { type WorkerLogins, auditRoleLogins, describeAudits, parseWorkerLogins } from '../helpers/http/login-audit';
import { ROLE_LOGINS_DIR } from '../helpers/http/sessions';
import { loginsBeforeTheRun, serverLogins } from './login-counts';

// After the run: the role sessions must have logged in once per worker process that used them,
// however many tests did, and again only to renew a token. With LOGIN_AUDIT_PATH, the API's own
// request counters are asked too: the logins it saw during this run (global setup noted the counts
// before it) must fit within the sessions' own count.
export default async function auditRoleLoginsAfterRun(config: FullConfig) {
  const workers = config.projects.flatMap((project) => workerLogins(path.join(project.outputDir, ROLE_LOGINS_DIR)));
  // Nothing logged in: nothing to audit, and bad settings were reported already, by global setup.
  if (workers.length === 0) return;
  const env = readEnv();
  const auditPath = env.source['LOGIN_AUDIT_PATH'];
  const context = await request.newContext({ baseURL: env.baseURL, timeout: 5_000 });
  try {
    const audits = [];
    for (const role of env.roles) {
      if (!workers.some((worker) => worker[role])) continue;
      const seen = auditPath ? await serverLogins(context, env, auditPath, role) : undefined;
      const before = loginsBeforeTheRun()[role] ?? 0;
      audits.push(auditRoleLogins(role, workers, seen === undefined ? undefined : seen - before));
    }
    // After a blank line: a reporter such as `dot` may have left its own line unfinished.
    console.log(['', ...describeAudits(audits)].join('\n'));
    const excess = audits.filter((audit) => !audit.ok).map((audit) => audit.role);
    // Outside CI the API may be one started by hand and shared with other runs, whose logins it counts too.
    if (excess.length > 0 && !env.ci) {
      console.log(
        `The API counted more logins than this run's sessions made (${excess.join(', ')}).\n` +
          'Not an error outside CI, where another run may share the API.',
      );
    } else if (excess.length > 0) {
      const error = new Error(
        `More logins than the role sessions account for (${excess.join(', ')}):\n` +
          'some code logs in per test instead of using api, adminApi or apiAs.',
      );
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
  } finally {
    await context.dispose();
  }
}

function workerLogins(dir: string): WorkerLogins[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((file) => parseWorkerLogins(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))));
}
