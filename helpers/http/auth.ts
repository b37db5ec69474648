import type { APIRequestContext } from '@playwright/test';
import { jsonOrText } from '../contracts/body';
import { summarizeErrorBody } from '../contracts/error-body';
import { type Env, EnvError, type RoleCredentials, roleCredentials, roleSettings } from '../env';
import { REDACTED, type Redactor } from '../secrets/redactor';
import { type ApiClient, type ExchangeReporter, createApiClient } from './client';
import { type IssuedToken, StaticToken, TokenSession, authHeader } from './sessions';

export class LoginError extends Error {
  override name = 'LoginError';
}

type Post = Pick<APIRequestContext, 'post'>;
// Where an OAuth 2.0 token answer holds the token and its lifetime (RFC 6749 §5.1).
const OAUTH_TOKEN_FIELD = 'access_token';
const OAUTH_EXPIRES_IN_FIELD = 'expires_in';
type PasswordCredentials = Extract<RoleCredentials, { strategy: 'password' }>;
type ClientCredentials = Extract<RoleCredentials, { strategy: 'client-credentials' }>;

/**
 * Logs in with a password at LOGIN_PATH, sending the configured field names, and reads the token
 * (and its lifetime, when the answer has one) at the configured paths of the answer. A refusal
 * throws with the API's reason, never with the password.
 */
export async function logIn(
  context: Post,
  login: Env['login'],
  credentials: Pick<PasswordCredentials, 'username' | 'password'>,
  redactor: Redactor,
): Promise<IssuedToken> {
  redactor.addSecret(credentials.password);
  const path = login.path;
  if (path === undefined)
    throw new EnvError('Missing setting LOGIN_PATH: a password login needs the path of the login endpoint.');
  const response = await context.post(path, {
    data: { [login.usernameField]: credentials.username, [login.passwordField]: credentials.password },
    maxRetries: 0,
  });
  const body = jsonOrText(await response.text());
  const who = `Login as ${credentials.username} at ${path} (LOGIN_PATH)`;
  if (response.status() !== 200) throw refusal(who, response.status(), body, redactor);
  return issuedToken(who, body, login.tokenField, login.expiresInField, redactor);
}

/** Obtains a token by the OAuth 2.0 client-credentials grant (RFC 6749 §4.4). */
export async function clientCredentialsToken(
  context: Post,
  oauth: Env['oauth'],
  credentials: Omit<ClientCredentials, 'strategy'>,
  redactor: Redactor,
): Promise<IssuedToken> {
  redactor.addSecret(credentials.clientSecret);
  const basic = Buffer.from(
    `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
  ).toString('base64');
  redactor.addSecret(basic);
  const form: Record<string, string> = {
    grant_type: 'client_credentials',
    ...(credentials.scope ? { scope: credentials.scope } : {}),
    ...(oauth.clientAuth === 'body'
      ? { client_id: credentials.clientId, client_secret: credentials.clientSecret }
      : {}),
  };
  const response = await context.post(oauth.tokenUrl!, {
    form,
    headers: oauth.clientAuth === 'basic' ? { authorization: `Basic ${basic}` } : {},
    maxRetries: 0,
  });
  const body = jsonOrText(await response.text());
  const who = `Client-credentials grant for ${credentials.clientId} at ${oauth.tokenUrl} (OAUTH_TOKEN_URL)`;
  if (response.status() !== 200) throw refusal(who, response.status(), body, redactor);
  return issuedToken(who, body, OAUTH_TOKEN_FIELD, OAUTH_EXPIRES_IN_FIELD, redactor);
}

/**
 * How a role authenticates, as an AuthSource for the API clients: a session that logs in (or asks
 * for a token) on first use, a static token, or nothing. Credentials are read on first use, so that
 * a missing one fails the first test that needs it, naming the settings.
 */
export function roleAuth(
  context: Post,
  env: Env,
  role: string,
  redactor: Redactor,
): TokenSession | StaticToken | undefined {
  const { strategy, header, scheme } = roleSettings(env, role);
  redactor.addSecretHeader(header);
  const toHeader = authHeader(header, scheme);
  const credentials = <C extends RoleCredentials>() => roleCredentials(env, role) as C;
  switch (strategy) {
    case 'password':
      return new TokenSession(() => logIn(context, env.login, credentials<PasswordCredentials>(), redactor), toHeader);
    case 'client-credentials':
      return new TokenSession(
        () => clientCredentialsToken(context, env.oauth, credentials<ClientCredentials>(), redactor),
        toHeader,
      );
    case 'token':
      return new StaticToken(() => {
        const { token } = credentials<Extract<RoleCredentials, { strategy: 'token' }>>();
        redactor.addSecret(token);
        return toHeader(token);
      });
    case 'none':
      return undefined;
  }
}

/**
 * A client for the logins and token grants that reports each of them like any other call, without
 * ever showing the token it obtains: the token of a 200 answer (at LOGIN_TOKEN_FIELD, or
 * access_token) is made a secret before the answer reaches the report. The request's password
 * field (LOGIN_PASSWORD_FIELD) is blanked too, whatever its name and however short the password.
 */
export function loginClient(
  context: APIRequestContext,
  { env, redactor, report, identity }: { env: Env; redactor: Redactor; report: ExchangeReporter; identity: string },
): ApiClient {
  const tokenFields = [env.login.tokenField, OAUTH_TOKEN_FIELD];
  return createApiClient(context, {
    identity,
    report: (start, send) =>
      report(start, async () => {
        const exchange = await send();
        if (exchange.response?.status === 200) {
          const body = jsonOrText(exchange.response.body);
          for (const field of tokenFields) {
            const token = valueAt(body, field);
            if (typeof token === 'string') redactor.addSecret(token);
          }
        }
        return {
          ...exchange,
          request: { ...exchange.request, body: withoutField(exchange.request.body, env.login.passwordField) },
        };
      }),
  });
}

function withoutField(body: string | undefined, field: string): string | undefined {
  const fields = body === undefined ? undefined : jsonOrText(body);
  if (fields === null || typeof fields !== 'object' || !(field in fields)) return body;
  return JSON.stringify({ ...fields, [field]: REDACTED });
}

function refusal(who: string, status: number, body: unknown, redactor: Redactor): LoginError {
  const said = summarizeErrorBody(body) ?? (typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body));
  return new LoginError(redactor.text(`${who} failed with HTTP ${status}: ${said || 'an empty body'}`));
}

function issuedToken(
  who: string,
  body: unknown,
  tokenField: string,
  expiresInField: string,
  redactor: Redactor,
): IssuedToken {
  const token = valueAt(body, tokenField);
  if (typeof token !== 'string' || token === '') {
    throw new LoginError(
      `${who} answered 200 without a token at "${tokenField}":\n${redactor.body(JSON.stringify(body), 2_000)}`,
    );
  }
  redactor.addSecret(token);
  const expiresIn = valueAt(body, expiresInField);
  return { token, expiresInSeconds: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : undefined };
}

function valueAt(body: unknown, dottedPath: string): unknown {
  return dottedPath
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      body,
    );
}
