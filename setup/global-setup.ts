import { request } from '@playwright/test';
import { readEnv } from '../helpers/env';
import { describeUnreachableTarget } from '../helpers/http/health-check';
import { READINESS_HISTORY_FILE, compactHistory } from '../helpers/readiness/history';
import { noteLoginsBeforeTheRun } from './login-counts';

// Runs once before any test: an unreachable API is reported here, once, instead of as a timeout in
// every test. Nothing of the previous run is deleted before this check has passed.
export default async function checkTargetAnswers() {
  const env = readEnv();
  const context = await request.newContext({ baseURL: env.baseURL, timeout: 5_000 });
  try {
    const problem = await describeUnreachableTarget(`${env.baseURL}${env.healthPath}`, async (url) => {
      const response = await context.get(url, { maxRetries: 0 });
      return response.status();
    });
    if (problem !== null) {
      const answered = !problem.includes('did not answer');
      const fix = answered
        ? ''
        : env.embeddedApi
          ? ` The embedded API should have been started by Playwright; run \`${env.embeddedApi.command}\` to see why it fails.`
          : ' Start the API, or correct BASE_URL in .env.';
      const error = new Error(`The API under test is unreachable: ${problem}${fix}`);
      // The message says all there is to say; a stack trace would only bury it.
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
    const auditPath = env.source['LOGIN_AUDIT_PATH'];
    if (auditPath) await noteLoginsBeforeTheRun(context, env, auditPath);
  } finally {
    await context.dispose();
  }
  compactHistory(READINESS_HISTORY_FILE);
}
