import type { APIRequestContext } from '@playwright/test';
import { LoginResponse, Problem } from './contracts';
import { parse } from './contract';
import { type Credentials, type Env, type Role, ROLES, requireCredentials } from './env';
import { parseJson } from './json';
import type { Redactor } from './redact';
import { type IssuedToken, TokenSession } from './sessions';

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
    const problem = Problem.safeParse(parseJson(await response.text()));
    const reason = problem.success
      ? `${problem.data.code}: ${problem.data.message}`
      : redactor.body(await response.text(), 500);
    throw new LoginError(`Login as ${credentials.email} failed with HTTP ${response.status()} ${reason}`);
  }
  const { token, expiresIn } = await parse(response, LoginResponse, redactor);
  redactor.addSecret(token);
  return { token, expiresInSeconds: expiresIn };
}

/** One session per role against the API of `context`: each logs in on its first use, and only then. */
export function sessionsPerRole(
  context: Pick<APIRequestContext, 'post'>,
  env: Env,
  redactor: Redactor,
): Record<Role, TokenSession> {
  return Object.fromEntries(
    ROLES.map((role) => [role, new TokenSession(() => logIn(context, requireCredentials(env, role), redactor))]),
  ) as Record<Role, TokenSession>;
}
