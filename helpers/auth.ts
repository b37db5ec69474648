import type { APIRequestContext } from '@playwright/test';
import { LoginResponse, Problem } from './contracts';
import { parse } from './contract';
import type { Credentials } from './env';
import type { Redactor } from './redact';
import type { IssuedToken } from './sessions';

export const LOGIN_PATH = '/api/v1/auth/login';

export class LoginError extends Error {
  override name = 'LoginError';
}

/** Logs in with a password; a refusal throws with the API's reason, never with the password. */
export async function logIn(
  context: Pick<APIRequestContext, 'post'>,
  credentials: Credentials,
  redactor: Redactor,
): Promise<IssuedToken> {
  redactor.addSecret(credentials.password);
  const response = await context.post(LOGIN_PATH, { data: credentials, maxRetries: 0 });
  if (response.status() !== 200) {
    const problem = Problem.safeParse(await response.json().catch(() => undefined));
    const reason = problem.success
      ? `${problem.data.code}: ${problem.data.message}`
      : redactor.body(await response.text(), 500);
    throw new LoginError(`Login as ${credentials.email} failed with HTTP ${response.status()} ${reason}`);
  }
  const { token, expiresIn } = await parse(response, LoginResponse, redactor);
  redactor.addSecret(token);
  return { token, expiresInSeconds: expiresIn };
}
