import { writeFileSync } from 'node:fs';
import { readEnv } from '../../../helpers/env';
import { test as core, expect } from '../../../fixtures';

// Each of these fails on purpose, in one of the ordinary ways a spec fails, on an answer that repeats
// the credential the client sent: the user's token (learnt from a login during the run), the
// service's OAuth token (learnt from a grant), or the partner's static key (a setting); or on a
// webhook secret the API hands out. None of them does anything to keep it out of the reports.

type Echo = { authenticated: boolean; you_sent: string; headers: Record<string, string | undefined> };

const test = core.extend<{ echo: Echo; failingSetup: void }, { failingTeardown: void }>({
  echo: async ({ api }, use) => use((await (await api.get('/echo')).json()) as Echo),
  failingSetup: async ({ echo }, use) => {
    if (echo.authenticated) throw new Error(`A fixture could not start: the API answered ${JSON.stringify(echo)}`);
    await use();
  },
  failingTeardown: [
    async ({ _roleSessions }, use) => {
      await use();
      const header = await _roleSessions.of('user')?.header();
      throw new Error(`A worker fixture could not stop with ${header?.name}: ${header?.value}`);
    },
    { scope: 'worker' },
  ],
});
const partnerKey = readEnv().source['PARTNER_TOKEN'];

test('a toBe whose expected value shares the token prefix', async ({ echo }) => {
  expect(echo.you_sent).toBe('tok-live-expected');
});

test('a toEqual on the whole answer', async ({ echo }) => {
  expect(echo).toEqual({ authenticated: false });
});

test('soft assertions on the echoed header', async ({ echo }) => {
  expect.soft(echo.headers['authorization']).toBe('Bearer expected');
  expect.soft(echo.you_sent).toContain('expected');
});

test('an expect.poll that never sees what it waits for', async ({ api }) => {
  await expect
    .poll(async () => (await (await api.get('/echo')).json()) as Echo, { timeout: 1_000, intervals: [100] })
    .toMatchObject({ authenticated: false });
});

test('a toPass whose block keeps failing', async ({ api }) => {
  await expect(async () => {
    const echo = (await (await api.get('/echo')).json()) as Echo;
    expect(echo.you_sent).toBe('expected');
  }).toPass({ timeout: 1_000, intervals: [100] });
});

// It fails by throwing, as specs that check an answer by hand do.
// eslint-disable-next-line playwright/expect-expect
test('an error thrown with the answer', async ({ echo }) => {
  throw new Error(`The API answered ${JSON.stringify(echo)}`);
});

test('the answer printed to the console', async ({ echo }) => {
  console.log(echo);
  console.error('echoed:', echo.you_sent);
  expect(echo.authenticated).toBe(false);
});

test('the answer attached by the spec, as a body and as files', async ({ echo }, testInfo) => {
  await testInfo.attach('echo', { body: JSON.stringify(echo), contentType: 'application/json' });
  await testInfo.attach('echo as text', { body: `echoed ${echo.you_sent}`, contentType: 'text/plain' });
  const file = testInfo.outputPath('echo.txt');
  writeFileSync(file, echo.you_sent);
  await testInfo.attach('echo as a file', { path: file, contentType: 'text/plain' });
  // Written and never attached: still in test-results/.
  writeFileSync(testInfo.outputPath('unattached.json'), JSON.stringify(echo));
  expect(echo.authenticated).toBe(false);
});

test('a step titled with the answer, and an annotation', async ({ echo }, testInfo) => {
  testInfo.annotations.push({ type: 'echoed', description: echo.you_sent });

  await test.step(`call with ${echo.you_sent}`, async () => {
    expect(echo.authenticated).toBe(false);
  });
});

test('an HTML error page that embeds the token', async ({ api }) => {
  const page = await api.get('/page');
  expect(await page.text()).toContain('Welcome');
});

test('a status assertion on that page', async ({ api }) => {
  await expect(await api.get('/page')).toHaveStatus(200);
});

test(`a title built from data: partner ${partnerKey}`, async ({ apiAs }) => {
  const partner = await apiAs('partner');
  const echo = (await (await partner.get('/echo')).json()) as Echo;
  expect(echo.you_sent).toBe('partner-expected');
});

test('a toBe on the echo of an OAuth token', async ({ apiAs }) => {
  const service = await apiAs('service');
  const echo = (await (await service.get('/echo')).json()) as Echo;
  expect(echo.you_sent).toBe('oat-expected');
});

test('a toEqual on an answer that hands out a webhook secret', async ({ api }) => {
  expect(await (await api.get('/webhook-secret')).json()).toEqual({ secret: 'whsec_expected' });
});

test('a fixture that fails with the answer', async ({ failingSetup }) => {
  expect(failingSetup).toBeUndefined();
});

test.describe('hooks', () => {
  test.beforeEach(async ({ echo }) => {
    throw new Error(`A hook could not prepare the test: ${echo.you_sent}`);
  });

  test('a hook that fails with the answer', async ({ echo }) => {
    expect(echo.authenticated).toBe(false);
  });
});

test('a worker fixture whose teardown fails with the token', async ({ failingTeardown }) => {
  expect(failingTeardown).toBeUndefined();
});
