import { z } from 'zod';

// The one module that reads process.env. dotenv fills process.env in playwright.config.ts (and in the
// scripts) before anything calls readEnv(). Every other module gets its settings from here.

import { type AuthStrategy, EnvSchema, milliseconds, strategy as authStrategy } from './settings/core';

export { AUTH_STRATEGIES, type AuthStrategy, ENVIRONMENT_NAME } from './settings/core';

/** How one role authenticates; its credentials are read only when a test first needs them. */
export type RoleSettings = Readonly<{
  role: string;
  strategy: AuthStrategy;
  /** The header the credential goes in, and the scheme before it ('' sends the bare value). */
  header: string;
  scheme: string;
}>;

export type RoleCredentials =
  | { strategy: 'password'; username: string; password: string }
  | { strategy: 'token'; token: string }
  | { strategy: 'client-credentials'; clientId: string; clientSecret: string; scope: string | undefined }
  | { strategy: 'none' };

export type LoginSettings = Readonly<{
  /** Unset: no role may use the password strategy. */
  path: string | undefined;
  usernameField: string;
  passwordField: string;
  /** Dotted paths into the login's answer, e.g. `token` or `data.accessToken`. */
  tokenField: string;
  expiresInField: string;
}>;

export type Env = Readonly<{
  /** Where the API under test lives: BASE_URL, or the embedded API when BASE_URL is unset. */
  baseURL: string;
  /** API_ENV: the environment the run tests, whose settings come from .env.<name>; undefined for none. */
  environment: string | undefined;
  /**
   * Set when the run starts an API of its own (BASE_URL unset, EMBEDDED_API_COMMAND set). With an
   * identity (the product its answers name in their Server header), outside CI a server already on the
   * port is reused if it is that API, and the run stops otherwise.
   */
  embeddedApi: Readonly<{ command: string; port: number; identity: string | undefined }> | undefined;
  /** Checked once before the run, without credentials: the run stops at once unless it answers 2xx. */
  healthPath: string;
  /** The roles a test may act as; the first one is the default role (the `api` fixture). */
  roles: readonly string[];
  defaultRole: string;
  login: LoginSettings;
  oauth: Readonly<{ tokenUrl: string | undefined; clientAuth: 'basic' | 'body' }>;
  /** Every SLA_<OPERATION>_MS setting, by key. */
  slaSettings: Readonly<Record<string, number>>;
  requestTimeoutMs: number;
  workers: number | undefined;
  ci: boolean;
  /** Settings shown in the report's environment block (REPORT_SETTINGS). */
  reportSettings: Readonly<Record<string, string>>;
  /** The value of every setting that holds a secret: for the redactor and the secret scan. */
  secrets: readonly string[];
  /** The names of those settings. */
  secretSettings: readonly string[];
  /** The raw, validated settings, for the add-ons' own keys (see settingsOf). */
  source: Readonly<Record<string, string>>;
}>;

/** A missing or malformed setting: its message names the key and says all there is to say. */
export class EnvError extends Error {
  override name = 'EnvError';

  constructor(message: string) {
    super(message);
    // No stack: a code frame of this module would only bury the one line that matters.
    this.stack = `${this.name}: ${message}`;
  }
}

// Settings whose values are secrets, by the end of their name: USER_PASSWORD, SERVICE_CLIENT_SECRET,
// INTEGRATION_TOKEN, DEMO_API_KEYS, PAYMENT_CREDENTIALS. Lists (`role=value,…`) are split into their values.
const SECRET_SETTING = /(PASSWORD|SECRET|TOKEN|KEYS?|CREDENTIALS|CLIENTS)$/;
// Settings whose empty value means "empty", not "unset": AUTH_SCHEME= sends a bare API key.
const EMPTY_IS_A_VALUE = /(^|_)AUTH_SCHEME$/;
const SLA_SETTING = /^SLA_[A-Z0-9_]+_MS$/;

type RawEnv = z.infer<typeof EnvSchema>;

/** Parses a process.env-like record; throws an EnvError whose message is one line naming the key. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const present = withoutUnsetValues(source);
  const raw = parseWith(EnvSchema, present);
  const slaSettings = parseWith(
    z.record(z.string(), milliseconds),
    Object.fromEntries(Object.entries(present).filter(([key]) => SLA_SETTING.test(key))),
  );
  for (const role of raw.ROLES) parseWith(z.object({ [`${prefix(role)}_AUTH`]: authStrategy.optional() }), present);
  if (raw.BASE_URL === undefined && raw.EMBEDDED_API_COMMAND === undefined) {
    throw new EnvError('Missing setting BASE_URL: the URL of the API under test, such as https://api.example.com.');
  }
  const secretSettings = Object.keys(present).filter((key) => SECRET_SETTING.test(key));
  return Object.freeze({
    baseURL: (raw.BASE_URL ?? `http://127.0.0.1:${raw.EMBEDDED_API_PORT}`).replace(/\/+$/, ''),
    environment: raw.API_ENV,
    embeddedApi:
      raw.BASE_URL === undefined
        ? Object.freeze({
            command: raw.EMBEDDED_API_COMMAND!,
            port: raw.EMBEDDED_API_PORT,
            identity: raw.EMBEDDED_API_IDENTITY,
          })
        : undefined,
    healthPath: raw.HEALTH_PATH,
    roles: Object.freeze(raw.ROLES),
    defaultRole: raw.ROLES[0]!,
    login: Object.freeze({
      path: raw.LOGIN_PATH,
      usernameField: raw.LOGIN_USERNAME_FIELD,
      passwordField: raw.LOGIN_PASSWORD_FIELD,
      tokenField: raw.LOGIN_TOKEN_FIELD,
      expiresInField: raw.LOGIN_EXPIRES_IN_FIELD,
    }),
    oauth: Object.freeze({ tokenUrl: raw.OAUTH_TOKEN_URL, clientAuth: raw.OAUTH_CLIENT_AUTH }),
    slaSettings: Object.freeze(slaSettings),
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    workers: raw.WORKERS,
    ci: raw.CI,
    reportSettings: Object.freeze(reportSettings(raw, present, secretSettings)),
    secrets: Object.freeze(secretSettings.flatMap((key) => secretValues(present[key]!))),
    secretSettings: Object.freeze(secretSettings),
    source: Object.freeze(present),
  });
}

/** How a role authenticates; an EnvError when the role is not one of ROLES. */
export function roleSettings(env: Env, role: string): RoleSettings {
  if (!env.roles.includes(role)) {
    throw new EnvError(`Unknown role ${role}: ROLES is ${env.roles.join(',')}; add it there to use it.`);
  }
  const key = prefix(role);
  const header = env.source[`${key}_AUTH_HEADER`] ?? env.source['AUTH_HEADER'] ?? 'Authorization';
  const scheme =
    env.source[`${key}_AUTH_SCHEME`] ??
    env.source['AUTH_SCHEME'] ??
    (header.toLowerCase() === 'authorization' ? 'Bearer' : '');
  return Object.freeze({
    role,
    strategy: (env.source[`${key}_AUTH`] ?? env.source['AUTH'] ?? 'password') as AuthStrategy,
    header,
    scheme,
  });
}

/** The credentials of a role, or an EnvError that names every missing setting. */
export function roleCredentials(env: Env, role: string): RoleCredentials {
  const { strategy } = roleSettings(env, role);
  const key = prefix(role);
  const setting = (name: string) => env.source[`${key}_${name}`];
  const require = (names: string[], why: string) => {
    const missing = names.filter((name) => setting(name) === undefined).map((name) => `${key}_${name}`);
    if (missing.length > 0) {
      throw new EnvError(`Missing setting ${missing.join(' and ')}: role ${role} authenticates with ${why}.`);
    }
  };
  switch (strategy) {
    case 'password':
      if (env.login.path === undefined) {
        throw new EnvError(`Missing setting LOGIN_PATH: role ${role} logs in with a password (AUTH=password).`);
      }
      require(['USERNAME', 'PASSWORD'], `a password (AUTH=password, at ${env.login.path})`);
      return { strategy, username: setting('USERNAME')!, password: setting('PASSWORD')! };
    case 'token':
      require(['TOKEN'], 'a static token (AUTH=token)');
      return { strategy, token: setting('TOKEN')! };
    case 'client-credentials':
      if (env.oauth.tokenUrl === undefined) {
        throw new EnvError(`Missing setting OAUTH_TOKEN_URL: role ${role} uses OAuth client credentials.`);
      }
      require(['CLIENT_ID', 'CLIENT_SECRET'], 'OAuth client credentials (AUTH=client-credentials)');
      return {
        strategy,
        clientId: setting('CLIENT_ID')!,
        clientSecret: setting('CLIENT_SECRET')!,
        scope: setting('SCOPE') ?? env.source['OAUTH_SCOPE'],
      };
    case 'none':
      return { strategy };
  }
}

/** The business SLA of an operation, from SLA_<OPERATION>_MS: `slaMs(env, 'image generation')`. */
export function slaMs(env: Env, operation: string): number {
  const key = `SLA_${operation.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_MS`;
  const value = env.slaSettings[key];
  if (value !== undefined) return value;
  const known = Object.keys(env.slaSettings);
  throw new EnvError(
    `Missing setting ${key}: the SLA of ${operation}, in milliseconds` +
      (known.length > 0 ? ` (set: ${known.join(', ')}).` : ' (no SLA_*_MS setting is set).'),
  );
}

/** An add-on's own settings, validated like these: one readable line naming the key when one is wrong. */
export function settingsOf<S extends z.ZodType>(env: Env, schema: S): z.infer<S> {
  return parseWith(schema, env.source);
}

function parseWith<S extends z.ZodType>(schema: S, source: Record<string, string>): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path.join('.') ?? '?';
  const value = source[key];
  const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
  throw new EnvError(`Invalid setting ${key}: ${issue?.message ?? 'invalid value'}, ${got}.`);
}

function prefix(role: string): string {
  return role.toUpperCase();
}

// `role=value,…` lists hold their secrets after the `=`, and `id:secret` pairs after the `:`. A flag or
// a number under a secret-looking name (FEATURE_KEY=true) is not a secret: redacting it would blank
// every "true" in a report.
function secretValues(value: string): string[] {
  const parts = value.split(',').flatMap((item) => {
    const assigned = item.slice(item.indexOf('=') + 1).trim();
    return [assigned, ...assigned.split(':')];
  });
  return [...new Set([value, ...parts])].filter(
    (part) => part.length >= 6 && !/^(\d+|true|false|yes|no|on|off|none|null)$/i.test(part),
  );
}

function reportSettings(raw: RawEnv, present: Record<string, string>, secretSettings: string[]) {
  const keys = (raw.REPORT_SETTINGS ?? '').split(',').map((key) => key.trim());
  return Object.fromEntries(
    keys.filter((key) => key && !secretSettings.includes(key)).map((key) => [key, present[key] ?? 'unset']),
  );
}

// `KEY=` in a .env file means "not set", not "set to the empty string" (but for AUTH_SCHEME).
function withoutUnsetValues(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && (entry[1] !== '' || EMPTY_IS_A_VALUE.test(entry[0])),
    ),
  );
}

let cached: Env | undefined;

/** The validated settings of this process, parsed once. */
export function readEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
