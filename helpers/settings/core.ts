import { z } from 'zod';

// The schemas of the settings: the core's here, the rest beside it (webhooks.ts, openapi.ts, gate.ts).
// helpers/env.ts reads process.env and parses it with them.

export const AUTH_STRATEGIES = ['password', 'token', 'client-credentials', 'none'] as const;
export type AuthStrategy = (typeof AUTH_STRATEGIES)[number];

export const ROLE_NAME = /^[a-z][a-z0-9_]*$/;
/** API_ENV: it names a file (.env.<name>), a label and metric keys. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export const tcpPort = z.coerce
  .number({ error: 'expected a TCP port number' })
  .int({ error: 'expected a TCP port number' })
  .min(1, { error: 'expected a TCP port between 1 and 65535' })
  .max(65535, { error: 'expected a TCP port between 1 and 65535' });

export const milliseconds = z.coerce
  .number({ error: 'expected a number of milliseconds' })
  .int({ error: 'expected a whole number of milliseconds' })
  .positive({ error: 'expected a positive number of milliseconds' });

// CI services set CI to "true", "1" or other words; only "false" and "0" mean no.
export const ciFlag = z
  .string()
  .optional()
  .transform((value) => value !== undefined && !['false', '0'].includes(value.toLowerCase()));

export const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'expected an http(s) URL such as https://api.example.com',
});
export const urlPath = z.string().startsWith('/', { error: 'expected a path starting with /' });
export const strategy = z.enum(AUTH_STRATEGIES, { error: `expected one of ${AUTH_STRATEGIES.join(', ')}` });

export const EnvSchema = z.object({
  API_ENV: z
    .string()
    .regex(ENVIRONMENT_NAME, { error: 'expected a name of letters, digits, - or _, such as staging' })
    .optional(),
  BASE_URL: httpUrl.optional(),
  HEALTH_PATH: urlPath.default('/health'),
  EMBEDDED_API_COMMAND: z.string().optional(),
  EMBEDDED_API_PORT: tcpPort.default(3100),
  EMBEDDED_API_IDENTITY: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'expected a product name such as my-api (no spaces or /)' })
    .optional(),
  ROLES: z
    .string()
    .default('user')
    .transform((list) =>
      list
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(ROLE_NAME, { error: 'expected lower-case role names such as user,admin' }))
        .min(1, { error: 'expected at least one role' }),
    ),
  AUTH: strategy.default('password'),
  AUTH_HEADER: z.string().min(1).default('Authorization'),
  AUTH_SCHEME: z.string().optional(),
  LOGIN_PATH: urlPath.optional(),
  LOGIN_USERNAME_FIELD: z.string().min(1).default('username'),
  LOGIN_PASSWORD_FIELD: z.string().min(1).default('password'),
  LOGIN_TOKEN_FIELD: z.string().min(1).default('token'),
  LOGIN_EXPIRES_IN_FIELD: z.string().min(1).default('expiresIn'),
  OAUTH_TOKEN_URL: z.string().min(1).optional(),
  OAUTH_CLIENT_AUTH: z.enum(['basic', 'body'], { error: 'expected basic or body' }).default('basic'),
  REQUEST_TIMEOUT_MS: milliseconds.default(10_000),
  WORKERS: z.coerce
    .number({ error: 'expected a number of workers' })
    .int({ error: 'expected a whole number of workers' })
    .positive({ error: 'expected a positive number of workers' })
    .optional(),
  CI: ciFlag,
  REPORT_SETTINGS: z.string().optional(),
});
