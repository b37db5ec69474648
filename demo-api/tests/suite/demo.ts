import { randomBytes } from 'node:crypto';
import { User } from '../../../api/contracts';
import { expect, parse, test as api } from '../../../api/fixtures';

// The demo's own specs of the suite (run by playwright.config.ts while demo-api/ is here): what its
// controls provoke, and the exact messages the waits fail with. Fresh users through the demo's public
// sign-up, deleted after the test, and whether the API under test has the demo's controls.

export type FreshUser = User & { username: string; password: string };

const SIGN_UP_PATH = '/api/v1/users';

type DemoFixtures = {
  /** Signs up a fresh user through the public API; it is deleted after the test. */
  createUser: () => Promise<FreshUser>;
};

export const test = api.extend<DemoFixtures, { demoControls: boolean }>({
  /** Whether the API under test has the demo API's test controls (`/__demo/…`): specs that need one skip without. */
  demoControls: [
    async ({ playwright, env }, use) => {
      const context = await playwright.request.newContext({ baseURL: env.baseURL, timeout: env.requestTimeoutMs });
      const answer = await context.get('/__demo/config', { maxRetries: 0 }).catch(() => undefined);
      const present = answer?.status() === 200;
      await context.dispose();
      await use(present);
    },
    { scope: 'worker', box: true },
  ],

  createUser: async ({ anonymousApi, adminApi, redactor }, use, testInfo) => {
    const created: FreshUser[] = [];
    // Unique across runs too, for APIs that keep their users.
    const runTag = randomBytes(4).toString('hex');
    await use(async () => {
      const email = `qa.${runTag}.${testInfo.testId}.${created.length + 1}@example.test`;
      const password = randomBytes(18).toString('base64url');
      redactor.addSecret(password);
      const response = await anonymousApi.post(SIGN_UP_PATH, { data: { email, password } });
      const user = { ...(await parse(response, User)), username: email, password };
      created.push(user);
      return user;
    });
    // Clean up where the API allows it; a refusal is reported but does not fail the test.
    for (const user of created) {
      const response = await adminApi.delete(`${SIGN_UP_PATH}/${user.id}`);
      if (![204, 404].includes(response.status())) {
        testInfo.annotations.push({
          type: 'cleanup',
          description: `could not delete ${user.email}: HTTP ${response.status()}`,
        });
      }
    }
  },
});

export { expect, parse };
export type { ApiClient } from '../../../api/fixtures';
