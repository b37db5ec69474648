import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EnvError, parseEnv } from '../../helpers/env';
import { loadSettings, readSettingsFile } from '../../setup/settings';
import { expect, test } from '../../fixtures';

// API_ENV=<name> takes .env.<name> on top of .env. loadSettings fills process.env: each test puts back
// what it changed.
const KEYS = ['API_ENV', 'BASE_URL', 'SLA_EXPORT_MS', 'REQUEST_TIMEOUT_MS', 'ONLY_SHARED'];
let dir: string;
let saved: Record<string, string | undefined>;

test.beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
  saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]));
  for (const key of KEYS) delete process.env[key];
  writeFileSync(
    path.join(dir, '.env'),
    'BASE_URL=https://dev.example.com\nSLA_EXPORT_MS=5000\nONLY_SHARED=yes\nREQUEST_TIMEOUT_MS=1000\n',
  );
  writeFileSync(path.join(dir, '.env.staging'), 'BASE_URL=https://staging.example.com\nSLA_EXPORT_MS=9000\n');
});

test.afterEach(() => {
  for (const key of KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(dir, { recursive: true, force: true });
});

test('API_ENV selects .env.<name>, whose settings win over .env, and the shell wins over both', () => {
  process.env['API_ENV'] = 'staging';
  process.env['REQUEST_TIMEOUT_MS'] = '2000';
  loadSettings(dir);
  expect(process.env['BASE_URL']).toBe('https://staging.example.com');
  expect(process.env['SLA_EXPORT_MS']).toBe('9000');
  expect(process.env['ONLY_SHARED']).toBe('yes');
  expect(process.env['REQUEST_TIMEOUT_MS']).toBe('2000');
  expect(parseEnv(process.env).environment).toBe('staging');
});

test('API_ENV may be set in .env itself', () => {
  writeFileSync(path.join(dir, '.env'), 'API_ENV=staging\nBASE_URL=https://dev.example.com\n');
  loadSettings(dir);
  expect(process.env['BASE_URL']).toBe('https://staging.example.com');
  expect(process.env['API_ENV']).toBe('staging');
});

test('without API_ENV, .env alone, and no environment', () => {
  loadSettings(dir);
  expect(process.env['BASE_URL']).toBe('https://dev.example.com');
  expect(parseEnv(process.env).environment).toBeUndefined();
});

test('an environment without its file, or with a name that cannot be one, stops with one line naming it', () => {
  process.env['API_ENV'] = 'prod';
  expect(() => loadSettings(dir)).toThrow(
    new EnvError('Missing file .env.prod: API_ENV=prod takes its settings from it (copy .env.example).'),
  );
  process.env['API_ENV'] = '../secrets';
  expect(() => loadSettings(dir)).toThrow(
    new EnvError(
      'Invalid setting API_ENV: expected a name of letters, digits, - or _, such as staging, got "../secrets".',
    ),
  );
  expect(() => parseEnv({ BASE_URL: 'https://a.example', API_ENV: 'a b' })).toThrow(
    new EnvError('Invalid setting API_ENV: expected a name of letters, digits, - or _, such as staging, got "a b".'),
  );
});

test('a settings file that sets a key twice is refused, naming both lines, before anything is set', () => {
  // The adopted .env of old: the token filled in on line 2, and an empty USER_TOKEN= further down.
  writeFileSync(
    path.join(dir, '.env'),
    '# the API\nBASE_URL=https://dev.example.com\nUSER_TOKEN=filled-in\nSLA_EXPORT_MS=5000\n\nUSER_TOKEN=\n',
  );
  expect(() => loadSettings(dir)).toThrow(
    new EnvError('Setting USER_TOKEN is set twice in .env, on lines 3 and 6: keep one of them.'),
  );
  expect(process.env['BASE_URL']).toBeUndefined();
  writeFileSync(path.join(dir, '.env.staging'), 'export SLA_EXPORT_MS=1\nSLA_EXPORT_MS = 2\n');
  process.env['API_ENV'] = 'staging';
  expect(() => loadSettings(dir)).toThrow(
    new EnvError('Setting SLA_EXPORT_MS is set twice in .env.staging, on lines 1 and 2: keep one of them.'),
  );
});

test('the same key commented out, or set once in each of two files, is no duplicate', () => {
  writeFileSync(path.join(dir, '.env'), '# BASE_URL=https://old.example.com\nBASE_URL=https://dev.example.com\n');
  process.env['API_ENV'] = 'staging';
  loadSettings(dir);
  expect(process.env['BASE_URL']).toBe('https://staging.example.com');
});

test("the starter's own settings files set each key once", () => {
  const root = path.join(__dirname, '..', '..');
  // The demo's file goes with the demo.
  const files = ['.env.example', path.join('demo-api', 'demo.env')].map((name) => path.join(root, name));
  for (const file of files.filter((file) => existsSync(file))) expect(() => readSettingsFile(file), file).not.toThrow();
});
