import { z } from 'zod';

// The one module that reads process.env. dotenv fills process.env in playwright.config.ts
// (and in the bench scripts) before anything calls readEnv().

export type Credentials = Readonly<{ email: string; password: string }>;

/** Every role the suite logs in as; each one reads <ROLE>_EMAIL and <ROLE>_PASSWORD. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// The accounts the embedded demo API creates at start (its own defaults, in demo-api/config.ts, are
// the same); a role added to ROLES has none there and needs its settings even against the demo API.
const DEMO_CREDENTIALS: Readonly<Partial<Record<Role, Credentials>>> = {
  user: { email: 'user@demo.test', password: 'user-password-1' },
  admin: { email: 'admin@demo.test', password: 'admin-password-1' },
};

const credentialKeys = (role: Role) => {
  const prefix = role.toUpperCase();
  return { email: `${prefix}_EMAIL`, password: `${prefix}_PASSWORD` } as const;
};

const milliseconds = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a number of milliseconds' })
    .int({ error: 'expected a whole number of milliseconds' })
    .positive({ error: 'expected a positive number of milliseconds' })
    .default(fallback);

// CI services set CI to "true", "1" or other words; only "false" and "0" mean no.
const ciFlag = z
  .string()
  .optional()
  .transform((value) => value !== undefined && !['false', '0'].includes(value.toLowerCase()));

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.example.com' });

const EnvSchema = z.object({
  BASE_URL: httpUrl.optional(),
  HEALTH_PATH: z.string().startsWith('/', { error: 'expected a path starting with /' }).default('/health'),
  DEMO_API_PORT: z.coerce
    .number({ error: 'expected a TCP port number' })
    .int({ error: 'expected a TCP port number' })
    .min(1, { error: 'expected a TCP port between 1 and 65535' })
    .max(65535, { error: 'expected a TCP port between 1 and 65535' })
    .default(3100),
  SLA_IMAGE_GENERATION_MS: milliseconds(12_000),
  SLA_ASSET_PROVISIONING_MS: milliseconds(15_000),
  SLA_THROTTLE_SLOTS_MS: milliseconds(5_000),
  REQUEST_TIMEOUT_MS: milliseconds(10_000),
  WORKERS: z.coerce
    .number({ error: 'expected a number of workers' })
    .int({ error: 'expected a whole number of workers' })
    .positive({ error: 'expected a positive number of workers' })
    .optional(),
  CI: ciFlag,
  // Validated by the demo API itself; here only to show it in the report's environment.
  DEMO_FAULTS: z.string().optional(),
  RECORDING_FILE: z.string().optional(),
  REPLAY_RECORDING: z.string().optional(),
  REPLAY_MODE: z.enum(['recorded', 'live'], { error: 'expected recorded or live' }).default('recorded'),
  REPLAY_CANDIDATE_URL: httpUrl.optional(),
  REPLAY_CANDIDATE_FAULTS: z.string().optional(),
  REPLAY_NOISE: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  REPLAY_NOISE_BASELINE_URL: httpUrl.optional(),
});

const CredentialsSchema = z.object(
  Object.fromEntries(
    ROLES.flatMap((role) => [
      [credentialKeys(role).email, z.email({ error: 'expected an e-mail address' }).optional()],
      [credentialKeys(role).password, z.string().min(1, { error: 'expected a non-empty password' }).optional()],
    ]),
  ) as Record<string, z.ZodOptional<z.ZodString>>,
);

type RawEnv = z.infer<typeof EnvSchema>;
type RawCredentials = z.infer<typeof CredentialsSchema>;

export type Env = Readonly<{
  /** Where the API under test lives; the embedded demo API when BASE_URL is unset. */
  baseURL: string;
  /** True when the run starts and targets the embedded demo API. */
  usesDemoApi: boolean;
  /** Checked once before the run: the run stops at once when it does not answer 2xx. */
  healthPath: string;
  demoApiPort: number;
  /** Undefined when incomplete: see requireCredentials. */
  credentials: Readonly<Record<Role, Credentials | undefined>>;
  /** Business SLA per asynchronous operation: the longest a client may be made to wait. */
  slaMs: Readonly<{ imageGeneration: number; assetProvisioning: number; throttleSlots: number }>;
  requestTimeoutMs: number;
  workers: number | undefined;
  ci: boolean;
  demoFaults: string | undefined;
  /** Where the client fixtures record their exchanges; nothing is recorded when unset. */
  recordingFile: string | undefined;
  /** Set when the run replays a recording against a candidate environment. */
  replay: Replay | undefined;
}>;

export type Replay = Readonly<{
  recording: string;
  /** recorded: compare with the recorded responses; live: ask the baseline (BASE_URL) again. */
  mode: 'recorded' | 'live';
  candidateURL: string;
  /** True when the run starts a demo API instance as the candidate (REPLAY_CANDIDATE_URL unset). */
  startsCandidate: boolean;
  candidateFaults: string | undefined;
  /** A second baseline for noise cancellation, if any. */
  noiseBaselineURL: string | undefined;
  startsNoiseBaseline: boolean;
}>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses a process.env-like record; throws an EnvError whose message is one line naming the key. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const present = withoutEmptyStrings(source);
  const settings = EnvSchema.safeParse(present);
  if (!settings.success) throw envError(settings.error, source);
  const credentials = CredentialsSchema.safeParse(present);
  if (!credentials.success) throw envError(credentials.error, source);
  return Object.freeze(toEnv(settings.data, credentials.data));
}

function envError(error: z.ZodError, source: Record<string, string | undefined>): EnvError {
  const issue = error.issues[0];
  const key = issue?.path.join('.') ?? '?';
  const value = source[key];
  const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
  return new EnvError(`Invalid setting ${key}: ${issue?.message ?? 'invalid value'}, ${got}.`);
}

function toEnv(raw: RawEnv, rawCredentials: RawCredentials): Env {
  const usesDemoApi = raw.BASE_URL === undefined;
  const credentials = (role: Role): Credentials | undefined => {
    const keys = credentialKeys(role);
    const email = rawCredentials[keys.email];
    const password = rawCredentials[keys.password];
    if (email !== undefined && password !== undefined) return Object.freeze({ email, password });
    if (usesDemoApi && email === undefined && password === undefined) return DEMO_CREDENTIALS[role];
    return undefined; // reported by requireCredentials, once the target is known to answer
  };
  return {
    baseURL: (raw.BASE_URL ?? `http://127.0.0.1:${raw.DEMO_API_PORT}`).replace(/\/+$/, ''),
    usesDemoApi,
    healthPath: raw.HEALTH_PATH,
    demoApiPort: raw.DEMO_API_PORT,
    credentials: Object.freeze(
      Object.fromEntries(ROLES.map((role) => [role, credentials(role)])),
    ) as Env['credentials'],
    slaMs: Object.freeze({
      imageGeneration: raw.SLA_IMAGE_GENERATION_MS,
      assetProvisioning: raw.SLA_ASSET_PROVISIONING_MS,
      throttleSlots: raw.SLA_THROTTLE_SLOTS_MS,
    }),
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    workers: raw.WORKERS,
    ci: raw.CI,
    demoFaults: raw.DEMO_FAULTS,
    recordingFile: raw.RECORDING_FILE,
    replay: toReplay(raw),
  };
}

function toReplay(raw: RawEnv): Replay | undefined {
  if (raw.REPLAY_RECORDING === undefined) return undefined;
  const demoUrl = (offset: number) => `http://127.0.0.1:${raw.DEMO_API_PORT + offset}`;
  const startsNoiseBaseline = raw.REPLAY_NOISE && raw.REPLAY_NOISE_BASELINE_URL === undefined;
  return Object.freeze({
    recording: raw.REPLAY_RECORDING,
    mode: raw.REPLAY_MODE,
    candidateURL: raw.REPLAY_CANDIDATE_URL ?? demoUrl(1),
    startsCandidate: raw.REPLAY_CANDIDATE_URL === undefined,
    candidateFaults: raw.REPLAY_CANDIDATE_FAULTS,
    noiseBaselineURL: raw.REPLAY_NOISE_BASELINE_URL ?? (startsNoiseBaseline ? demoUrl(2) : undefined),
    startsNoiseBaseline,
  });
}

// `KEY=` in a .env file means "not set", not "set to the empty string".
function withoutEmptyStrings(source: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
}

export { credentialKeys };

/** The credentials of a role, or an EnvError naming the setting that is missing. */
export function requireCredentials(env: Env, role: Role): Credentials {
  const credentials = env.credentials[role];
  if (credentials) return credentials;
  const keys = credentialKeys(role);
  const when = !env.usesDemoApi
    ? 'when BASE_URL points at your own API'
    : DEMO_CREDENTIALS[role]
      ? 'together'
      : `(the demo API creates accounts only for ${Object.keys(DEMO_CREDENTIALS).join(' and ')})`;
  throw new EnvError(`Missing setting: ${keys.email} and ${keys.password} must both be set ${when}.`);
}

let cached: Env | undefined;

/** The validated settings of this process, parsed once. */
export function readEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
