import { type APIRequestContext, request } from '@playwright/test';
import { type Env, readEnv } from '../helpers/env';
import { describeOtherServer, describeUnreachableTarget } from '../helpers/http/health-check';
import { READINESS_HISTORY_FILE, compactHistory } from '../helpers/readiness/history';
import { noteLoginsBeforeTheRun } from './login-counts';
import { loadSettings } from './settings';

// Runs once before any test: an unreachable API is reported here, once, instead of as a timeout in
// every test. Nothing of the previous run is deleted before this check has passed.
export default async function checkTargetAnswers() {
  // Again, so that a settings file the config could not load (API_ENV) is named here, where a run stops.
  loadSettings();
  const env = readEnv();
  const context = await request.newContext({ baseURL: env.baseURL, timeout: 5_000 });
  try {
    await refuseAnotherServer(context, env);
    const problem = await describeUnreachableTarget(`${env.baseURL}${env.healthPath}`, async (url) => {
      const response = await context.get(url, { maxRetries: 0 });
      return response.status();
    });
    if (problem !== null) {
      const answered = !problem.includes('did not answer');
      const fix = answered
        ? ''
        : env.embeddedApi
          ? `\nThe embedded API should have been started by Playwright: run \`${env.embeddedApi.command}\` to see why not.`
          : '\nStart the API, or correct BASE_URL in .env.';
      throw messageOnly(`The API under test is unreachable:\n${problem}${fix}`);
    }
    const auditPath = env.source['LOGIN_AUDIT_PATH'];
    if (auditPath) await noteLoginsBeforeTheRun(context, env, auditPath);
  } finally {
    await context.dispose();
  }
  compactHistory(READINESS_HISTORY_FILE);
}

// Outside CI, Playwright reuses whatever listens on the embedded API's port: the run goes on only if
// that is the API it would have started. (On CI it starts its own, and a taken port stops it.)
async function refuseAnotherServer(context: APIRequestContext, env: Env) {
  const identity = env.embeddedApi?.identity;
  if (!env.embeddedApi || !identity) return;
  const response = await context.get(env.healthPath, { maxRetries: 0 }).catch(() => undefined);
  // No HTTP answer at all: the reachability check says why.
  if (!response) return;
  const other = describeOtherServer({ status: response.status(), server: response.headers()['server'] }, identity);
  if (other === null) return;
  throw messageOnly(
    `Port ${env.embeddedApi.port} is taken by another server, not the embedded API:\n` +
      `${env.healthPath} ${other} (EMBEDDED_API_IDENTITY).\n` +
      'Stop that server, or set EMBEDDED_API_PORT to a free port (in .env).',
  );
}

// The message says all there is to say; a stack trace would only bury it.
function messageOnly(message: string): Error {
  const error = new Error(message);
  error.stack = `${error.name}: ${error.message}`;
  return error;
}
