import { expect, test } from '@playwright/test';
import { EnvError, parseEnv, roleCredentials, roleSettings, settingsOf, slaMs } from '../../helpers/env';
import { z } from 'zod';

const api = { BASE_URL: 'https://api.example.com/' };

test('BASE_URL is the target; without it and without an embedded API the run stops, naming it', () => {
  expect(parseEnv(api)).toMatchObject({ baseURL: 'https://api.example.com', embeddedApi: undefined });
  expect(() => parseEnv({})).toThrow(
    new EnvError('Missing setting BASE_URL: the URL of the API under test, such as https://api.example.com.'),
  );
  const embedded = parseEnv({ EMBEDDED_API_COMMAND: 'node server.js', EMBEDDED_API_PORT: '3200' });
  expect(embedded).toMatchObject({ baseURL: 'http://127.0.0.1:3200', embeddedApi: { command: 'node server.js' } });
  expect(Object.isFrozen(embedded)).toBe(true);
  const identified = parseEnv({ EMBEDDED_API_COMMAND: 'node server.js', EMBEDDED_API_IDENTITY: 'my-api' });
  expect(identified.embeddedApi).toEqual({ command: 'node server.js', port: 3100, identity: 'my-api' });
  expect(() => parseEnv({ ...api, EMBEDDED_API_IDENTITY: 'my api/1' })).toThrow(
    new EnvError(
      'Invalid setting EMBEDDED_API_IDENTITY: expected a product name such as my-api (no spaces or /), got "my api/1".',
    ),
  );
});

test('a bad value names the key, what was expected and what was given', () => {
  const cases = [
    [
      { BASE_URL: 'not-a-url' },
      'Invalid setting BASE_URL: expected an http(s) URL such as https://api.example.com, got "not-a-url".',
    ],
    [
      { ...api, EMBEDDED_API_PORT: '70000' },
      'Invalid setting EMBEDDED_API_PORT: expected a TCP port between 1 and 65535, got "70000".',
    ],
    [
      { ...api, SLA_IMAGE_GENERATION_MS: '2s' },
      'Invalid setting SLA_IMAGE_GENERATION_MS: expected a number of milliseconds, got "2s".',
    ],
    [{ ...api, HEALTH_PATH: 'health' }, 'Invalid setting HEALTH_PATH: expected a path starting with /, got "health".'],
    [
      { ...api, AUTH: 'magic' },
      'Invalid setting AUTH: expected one of password, token, client-credentials, none, got "magic".',
    ],
    [
      { ...api, ROLES: 'user,admin', ADMIN_AUTH: 'oauth' },
      'Invalid setting ADMIN_AUTH: expected one of password, token, client-credentials, none, got "oauth".',
    ],
  ] as const;
  for (const [source, message] of cases) {
    expect(() => parseEnv(source)).toThrow(new EnvError(message));
  }
});

test('an empty value counts as unset, except an empty AUTH_SCHEME, which sends a bare key', () => {
  expect(parseEnv({ ...api, WORKERS: '' })).toMatchObject({ workers: undefined });
  const env = parseEnv({ ...api, AUTH: 'token', AUTH_HEADER: 'X-API-Key', AUTH_SCHEME: '' });
  expect(roleSettings(env, 'user')).toEqual({ role: 'user', strategy: 'token', header: 'X-API-Key', scheme: '' });
  expect(roleSettings(parseEnv({ ...api, AUTH: 'token' }), 'user')).toMatchObject({ scheme: 'Bearer' });
});

test('roles are data: each one has its own strategy, header and scheme, or the defaults', () => {
  const env = parseEnv({
    ...api,
    ROLES: 'user,integration,service',
    INTEGRATION_AUTH: 'token',
    INTEGRATION_AUTH_HEADER: 'X-API-Key',
    SERVICE_AUTH: 'client-credentials',
  });
  expect(env.roles).toEqual(['user', 'integration', 'service']);
  expect(env.defaultRole).toBe('user');
  expect(env.roles.map((role) => roleSettings(env, role))).toEqual([
    { role: 'user', strategy: 'password', header: 'Authorization', scheme: 'Bearer' },
    { role: 'integration', strategy: 'token', header: 'X-API-Key', scheme: '' },
    { role: 'service', strategy: 'client-credentials', header: 'Authorization', scheme: 'Bearer' },
  ]);
  expect(() => roleSettings(env, 'auditor')).toThrow('Unknown role auditor: ROLES is user,integration,service');
});

test('credentials are required only when a role is used, and a missing one names its settings', () => {
  const env = parseEnv({ ...api, ROLES: 'user,admin', LOGIN_PATH: '/login', USER_USERNAME: 'qa@example.com' });
  expect(() => roleCredentials(env, 'user')).toThrow(
    'Missing setting USER_PASSWORD: role user authenticates with a password (AUTH=password, at /login).',
  );
  expect(() => roleCredentials(env, 'admin')).toThrow('Missing setting ADMIN_USERNAME and ADMIN_PASSWORD');
  const token = parseEnv({ ...api, AUTH: 'token' });
  expect(() => roleCredentials(token, 'user')).toThrow(
    'Missing setting USER_TOKEN: role user authenticates with a static token (AUTH=token).',
  );
  const oauth = parseEnv({ ...api, AUTH: 'client-credentials' });
  expect(() => roleCredentials(oauth, 'user')).toThrow('Missing setting OAUTH_TOKEN_URL');
  expect(() => roleCredentials(parseEnv({ ...api }), 'user')).toThrow('Missing setting LOGIN_PATH');
  expect(roleCredentials(parseEnv({ ...api, AUTH: 'none' }), 'user')).toEqual({ strategy: 'none' });
});

test('every setting that holds a secret is known, lists split into their values', () => {
  const env = parseEnv({
    ...api,
    USER_PASSWORD: 'pw-123456',
    SERVICE_CLIENT_SECRET: 'cs-123456',
    DEMO_API_KEYS: 'user=key-aaaa,admin=key-bbbb',
    LOGIN_TOKEN_FIELD: 'data.token',
  });
  expect(env.secretSettings).toEqual(['USER_PASSWORD', 'SERVICE_CLIENT_SECRET', 'DEMO_API_KEYS']);
  expect(env.secrets).toEqual(expect.arrayContaining(['pw-123456', 'cs-123456', 'key-aaaa', 'key-bbbb']));
  expect(env.secrets).not.toContain('data.token');
  // A flag under a secret-looking name is not redacted from every report.
  expect(parseEnv({ ...api, FEATURE_KEY: 'true', RETRY_TOKENS: '3' }).secrets).toEqual([]);
});

test('SLAs are data: any SLA_<OPERATION>_MS, asked for by operation name', () => {
  const env = parseEnv({ ...api, SLA_REPORT_EXPORT_MS: '9000' });
  expect(slaMs(env, 'report export')).toBe(9000);
  expect(() => slaMs(env, 'report exprot')).toThrow(
    'Missing setting SLA_REPORT_EXPROT_MS: the SLA of report exprot, in milliseconds (set: SLA_REPORT_EXPORT_MS).',
  );
});

test("an add-on's own settings are validated the same way", () => {
  const env = parseEnv({ ...api, REPLAY_MODE: 'sideways' });
  expect(() => settingsOf(env, z.object({ REPLAY_MODE: z.enum(['recorded', 'live']) }))).toThrow(
    /^Invalid setting REPLAY_MODE: .*, got "sideways"\.$/,
  );
});

test('CI counts as set unless it says false or 0', () => {
  expect([
    parseEnv({ ...api, CI: 'true' }).ci,
    parseEnv({ ...api, CI: '1' }).ci,
    parseEnv({ ...api, CI: 'false' }).ci,
    parseEnv(api).ci,
  ]).toEqual([true, true, false, false]);
});
