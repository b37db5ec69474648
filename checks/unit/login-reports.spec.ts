import type { APIRequestContext, APIResponse } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { parseEnv } from '../../helpers/env';
import { logIn, loginClient } from '../../helpers/http/auth';
import type { ExchangeReporter } from '../../helpers/http/client';
import { describeRequest, describeResponse } from '../../helpers/http/exchange-report';
import { Redactor } from '../../helpers/secrets/redactor';

// A field name the redactor does not take for a secret by itself.
const env = parseEnv({ BASE_URL: 'https://api.test', LOGIN_PATH: '/session', LOGIN_TOKEN_FIELD: 'data.key' });

function answering(status: number, body: unknown) {
  return {
    fetch: async (url: string) =>
      ({
        status: () => status,
        url: () => `https://api.test${url}`,
        headers: () => ({ 'content-type': 'application/json' }),
        body: async () => Buffer.from(JSON.stringify(body)),
        text: async () => JSON.stringify(body),
        timing: () => ({ requestStart: -1, responseStart: -1, responseEnd: -1, connectEnd: -1 }),
      }) as unknown as APIResponse,
  } as unknown as APIRequestContext;
}

/** What a report would show of each exchange, written at the moment it is reported. */
function reportShowing(redactor: Redactor) {
  const shown: string[] = [];
  const report: ExchangeReporter = async (_start, send) => {
    const exchange = await send();
    shown.push(JSON.stringify([describeRequest(exchange, redactor), describeResponse(exchange, redactor)]));
    return exchange;
  };
  return { report, shown };
}

test('a login is reported as a call, and the report shows neither the password nor the token it got', async () => {
  const redactor = new Redactor();
  const { report, shown } = reportShowing(redactor);
  const context = answering(200, { data: { key: 'k-7f3a9c21e5' } });
  const logins = loginClient(context, { env, redactor, report, identity: 'user' });

  const issued = await logIn(logins, env.login, { username: 'ada@example.com', password: 'pw-hunter22' }, redactor);

  expect(issued.token).toBe('k-7f3a9c21e5');
  expect(shown).toHaveLength(1);
  expect(shown[0]).toContain('"path":"/session"');
  expect(shown[0]).toContain('"identity":"user"');
  expect(shown[0]).not.toContain('k-7f3a9c21e5');
  expect(shown[0]).not.toContain('pw-hunter22');
});

test('a refused login is reported with its status, and the error names the API reason', async () => {
  const redactor = new Redactor();
  const { report, shown } = reportShowing(redactor);
  const context = answering(401, { message: 'Wrong password' });
  const logins = loginClient(context, { env, redactor, report, identity: 'user' });

  await expect(
    logIn(logins, env.login, { username: 'ada@example.com', password: 'pw-hunter22' }, redactor),
  ).rejects.toThrow('Login as ada@example.com at /session (LOGIN_PATH) failed with HTTP 401: Wrong password');
  expect(shown).toHaveLength(1);
  expect(shown[0]).toContain('"status":401');
  expect(shown[0]).not.toContain('pw-hunter22');
});

test('the password field is blanked in the report whatever its name, however short the password', async () => {
  const pinEnv = parseEnv({ BASE_URL: 'https://api.test', LOGIN_PATH: '/session', LOGIN_PASSWORD_FIELD: 'pin' });
  const redactor = new Redactor();
  const { report, shown } = reportShowing(redactor);
  const logins = loginClient(answering(200, { token: 'k-7f3a9c21e5' }), {
    env: pinEnv,
    redactor,
    report,
    identity: 'user',
  });

  await logIn(logins, pinEnv.login, { username: 'ada@example.com', password: '7x9' }, redactor);

  expect(shown[0]).toContain('"pin":"[REDACTED]"');
  expect(shown[0]).not.toContain('7x9');
});
