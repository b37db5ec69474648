import { EnvError, parseEnv, requireCredentials } from '../../helpers/env';
import { expect, test } from '../../fixtures';

test('no settings at all target the demo API with its accounts', () => {
  const env = parseEnv({});
  expect(env).toMatchObject({ baseURL: 'http://127.0.0.1:3100', usesDemoApi: true, healthPath: '/health' });
  expect(requireCredentials(env, 'user').email).toBe('user@demo.test');
  expect(Object.isFrozen(env)).toBe(true);
});

test('a bad value names the key, what was expected and what was given', () => {
  const cases = [
    [
      { BASE_URL: 'not-a-url' },
      'Invalid setting BASE_URL: expected an http(s) URL such as https://api.example.com, got "not-a-url".',
    ],
    [
      { DEMO_API_PORT: '70000' },
      'Invalid setting DEMO_API_PORT: expected a TCP port between 1 and 65535, got "70000".',
    ],
    [
      { SLA_IMAGE_GENERATION_MS: '2s' },
      'Invalid setting SLA_IMAGE_GENERATION_MS: expected a number of milliseconds, got "2s".',
    ],
    [{ HEALTH_PATH: 'health' }, 'Invalid setting HEALTH_PATH: expected a path starting with /, got "health".'],
  ] as const;
  for (const [source, message] of cases) {
    expect(() => parseEnv(source)).toThrow(new EnvError(message));
  }
});

test('an empty value counts as unset', () => {
  expect(parseEnv({ BASE_URL: '', WORKERS: '' })).toMatchObject({ usesDemoApi: true, workers: undefined });
});

test('a real API needs the credentials of every role, named when missing', () => {
  const env = parseEnv({ BASE_URL: 'https://api.example.com/', USER_EMAIL: 'qa@example.com', USER_PASSWORD: 'pw' });
  expect(env.baseURL).toBe('https://api.example.com');
  // Compared field by field: a report shows an expected value, and a password field in it looks like a leak.
  const credentials = requireCredentials(env, 'user');
  expect([credentials.email, credentials.password.length]).toEqual(['qa@example.com', 2]);
  expect(() => requireCredentials(env, 'admin')).toThrow(
    'Missing setting: ADMIN_EMAIL and ADMIN_PASSWORD must both be set when BASE_URL points at your own API.',
  );
});

test('CI counts as set unless it says false or 0', () => {
  expect([
    parseEnv({ CI: 'true' }).ci,
    parseEnv({ CI: '1' }).ci,
    parseEnv({ CI: 'false' }).ci,
    parseEnv({}).ci,
  ]).toEqual([true, true, false, false]);
});
