import { z } from 'zod';
import { RETRY_AFTER_MODES, type RetryAfterMode, parseRetryAfterMode } from './retry-after';

export const FAULTS = [
  'task-stuck',
  'task-fails',
  'assets-never-ready',
  'login-500',
  'schema-drift',
  'throttle-off',
  'webhook-lost',
  'webhook-duplicate',
  'webhook-bad-signature',
  'webhook-late',
  'channel-silent',
  'channel-drop',
  'stream-drop',
  'slow',
] as const;
export type Fault = (typeof FAULTS)[number];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// Their values are never repeated in an error message.
const SECRET_SETTINGS = new Set(['USER_PASSWORD', 'ADMIN_PASSWORD', 'DEMO_API_KEYS', 'DEMO_OAUTH_CLIENTS']);

const commaList = (list: string) =>
  list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Splits at the first separator only, so that the part after it may contain the separator. */
function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

const isRole = (name: string): name is Role => (ROLES as readonly string[]).includes(name);

/** A comma list of `role=value`, e.g. `user=…,admin=…`; `format` names the value in the error message. */
const roleList = (format: string) =>
  z
    .string()
    .default('')
    .transform((list, context) => {
      const entries: Array<{ role: Role; value: string }> = [];
      for (const item of commaList(list)) {
        const [role, value] = splitOnce(item, '=');
        if (!isRole(role) || value === '') {
          context.addIssue({
            code: 'custom',
            message: `expected a comma list of role=${format}, with a role of ${ROLES.join(', ')}`,
          });
          return z.NEVER;
        }
        entries.push({ role, value });
      }
      return entries;
    });

const ApiKeysSchema = roleList('key').transform((entries, context) => {
  const keys = new Map<string, Role>();
  for (const { role, value } of entries) {
    if (keys.has(value) && keys.get(value) !== role) {
      context.addIssue({ code: 'custom', message: 'one key is given to more than one role' });
      return z.NEVER;
    }
    keys.set(value, role);
  }
  return keys;
});

const OAuthClientsSchema = roleList('clientId:clientSecret').transform((entries, context) => {
  const clients: OAuthClient[] = [];
  for (const { role, value } of entries) {
    const [clientId, clientSecret] = splitOnce(value, ':');
    if (clientId === '' || clientSecret === '' || clients.some((client) => client.clientId === clientId)) {
      context.addIssue({
        code: 'custom',
        message: 'expected a comma list of role=clientId:clientSecret, each client id once',
      });
      return z.NEVER;
    }
    clients.push({ role, clientId, clientSecret });
  }
  return clients;
});

const ConfigSchema = z.object({
  DEMO_API_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  DEMO_FAULTS: z
    .string()
    .default('')
    .transform(commaList)
    .pipe(z.array(z.enum(FAULTS, { error: `expected a comma list of ${FAULTS.join(', ')}` }))),
  DEMO_LATENCY_SCALE: z.coerce.number().positive().default(1),
  DEMO_THROTTLE_LIMIT: z.coerce.number().int().positive().default(3),
  DEMO_WORKER_SLOTS: z.coerce.number().int().positive().default(4),
  DEMO_RETRY_AFTER: z
    .string()
    .default('estimate')
    .transform((text, context) => {
      const mode = parseRetryAfterMode(text);
      if (mode) return mode;
      context.addIssue({ code: 'custom', message: `expected ${RETRY_AFTER_MODES}` });
      return z.NEVER;
    }),
  DEMO_TASK_MEDIAN_MS: z.coerce.number().int().positive().default(1_200),
  DEMO_TASK_P95_MS: z.coerce.number().int().positive().default(2_500),
  DEMO_SEED: z.string().min(1).default('demo'),
  DEMO_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  DEMO_API_KEYS: ApiKeysSchema,
  DEMO_OAUTH_CLIENTS: OAuthClientsSchema,
  DEMO_OAUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(300),
  USER_USERNAME: z.email().default('user@demo.test'),
  USER_PASSWORD: z.string().min(1).default('user-password-1'),
  ADMIN_USERNAME: z.email().default('admin@demo.test'),
  ADMIN_PASSWORD: z.string().min(1).default('admin-password-1'),
});

export type OAuthClient = Readonly<{ role: Role; clientId: string; clientSecret: string }>;

export type DemoConfig = Readonly<{
  port: number;
  faults: ReadonlySet<Fault>;
  /** Multiplies every simulated duration; the `slow` fault multiplies it again by 3. */
  latencyScale: number;
  throttleLimit: number;
  /** How many image generation tasks run at once; the others wait in a FIFO queue. */
  workerSlots: number;
  /** What a task that is not finished answers in Retry-After, unless a request asks otherwise. */
  retryAfter: RetryAfterMode;
  /** The median and 95th percentile of an image generation's duration (before the latency scale). */
  taskMedianMs: number;
  taskP95Ms: number;
  seed: string;
  tokenTtlSeconds: number;
  /** Each static API key and the role whose account it acts as. */
  apiKeys: ReadonlyMap<string, Role>;
  /** The clients allowed the OAuth 2.0 client-credentials grant. */
  oauthClients: ReadonlyArray<OAuthClient>;
  oauthTokenTtlSeconds: number;
  accounts: ReadonlyArray<{ email: string; password: string; role: Role }>;
}>;

/** Parses a comma list of fault names; unknown names throw, naming the known ones. */
export function parseFaults(list: string): Set<Fault> {
  const names = commaList(list);
  const unknown = names.filter((name) => !(FAULTS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown fault ${unknown.join(', ')}; expected a comma list of ${FAULTS.join(', ')}`);
  return new Set(names as Fault[]);
}

/** Reads the demo's settings; keys it does not know are ignored. */
export function parseDemoConfig(source: Record<string, string | undefined>): DemoConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? '?');
    const got = SECRET_SETTINGS.has(key) ? '' : `, got ${JSON.stringify(source[key])}`;
    throw new Error(`Invalid demo API setting ${key}: ${issue?.message ?? 'invalid value'}${got}.`);
  }
  const raw = result.data;
  if (raw.DEMO_TASK_P95_MS <= raw.DEMO_TASK_MEDIAN_MS) {
    throw new Error(
      `Invalid demo API setting DEMO_TASK_P95_MS: expected more than DEMO_TASK_MEDIAN_MS (${raw.DEMO_TASK_MEDIAN_MS}), got ${JSON.stringify(source['DEMO_TASK_P95_MS'] ?? String(raw.DEMO_TASK_P95_MS))}.`,
    );
  }
  return {
    port: raw.DEMO_API_PORT,
    faults: new Set(raw.DEMO_FAULTS),
    latencyScale: raw.DEMO_LATENCY_SCALE,
    throttleLimit: raw.DEMO_THROTTLE_LIMIT,
    workerSlots: raw.DEMO_WORKER_SLOTS,
    retryAfter: raw.DEMO_RETRY_AFTER,
    taskMedianMs: raw.DEMO_TASK_MEDIAN_MS,
    taskP95Ms: raw.DEMO_TASK_P95_MS,
    seed: raw.DEMO_SEED,
    tokenTtlSeconds: raw.DEMO_TOKEN_TTL_SECONDS,
    apiKeys: raw.DEMO_API_KEYS,
    oauthClients: raw.DEMO_OAUTH_CLIENTS,
    oauthTokenTtlSeconds: raw.DEMO_OAUTH_TOKEN_TTL_SECONDS,
    accounts: [
      { email: raw.USER_USERNAME, password: raw.USER_PASSWORD, role: 'user' },
      { email: raw.ADMIN_USERNAME, password: raw.ADMIN_PASSWORD, role: 'admin' },
    ],
  };
}
