import { randomBytes } from 'node:crypto';
import { settingsOf } from '../helpers/env';
import { type ExampleSettings as Examples, ExampleSettings } from './examples';
import { expect, parse, test as core } from '../fixtures';

// The one entry point of the specs: the core's fixtures and matchers, the waits' classifiers and
// errors, and your API's own fixtures, the one file of code it may need besides contracts and specs.
// The core (fixtures/, helpers/) stays as it is.

type ApiFixtures = {
  /** Signs up a fresh account through EXAMPLE_SIGN_UP, for a test whose side effects must stay its own. */
  newAccount: () => Promise<{ username: string; password: string }>;
};

export const test = core.extend<ApiFixtures, { examples: Examples }>({
  /** The operations the pattern specs call (EXAMPLE_* in .env): a spec whose setting is unset skips. */
  examples: [async ({ env }, use) => use(settingsOf(env, ExampleSettings)), { scope: 'worker', box: true }],

  newAccount: async ({ anonymousApi, env, examples, redactor }, use, testInfo) => {
    // Unique across runs too, for APIs that keep their accounts.
    const runTag = randomBytes(4).toString('hex');
    let created = 0;
    await use(async () => {
      const signUp = examples.EXAMPLE_SIGN_UP;
      if (!signUp) throw new Error('newAccount needs EXAMPLE_SIGN_UP: the call that signs up an account.');
      const username = `qa.${runTag}.${testInfo.testId}.${(created += 1)}@example.test`;
      const password = randomBytes(18).toString('base64url');
      redactor.addSecret(password);
      const data = { ...signUp.body, [env.login.usernameField]: username, [env.login.passwordField]: password };
      const response = await anonymousApi.fetch(signUp.path, { method: signUp.method, data });
      await expect(response, `${signUp.name} of a fresh account`).toHaveStatus([200, 201]);
      return { username, password };
    });
  },
});

export { expect, parse };
export type { ApiClient, TestChannel } from '../fixtures';
export { byStatusField, notReadyWhileRefused, retryAfterMs, whenBody } from '../helpers/readiness/classifiers';
export { PollWaitError, StreamWaitError, WebhookWaitError } from '../fixtures';
export { HoldOpened, InFlight, JobEvent, JobStatus, JobStreamEvent, LoginAnswer, SigningSecret } from './examples';
