import { z } from 'zod';

export const FAULTS = [
  'task-stuck',
  'task-fails',
  'assets-never-ready',
  'login-500',
  'schema-drift',
  'throttle-off',
  'slow',
] as const;
export type Fault = (typeof FAULTS)[number];

const ConfigSchema = z.object({
  DEMO_API_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  DEMO_FAULTS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(FAULTS, { error: `expected a comma list of ${FAULTS.join(', ')}` }))),
  DEMO_LATENCY_SCALE: z.coerce.number().positive().default(1),
  DEMO_THROTTLE_LIMIT: z.coerce.number().int().positive().default(3),
  DEMO_SEED: z.string().min(1).default('demo'),
  DEMO_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  USER_EMAIL: z.email().default('user@demo.test'),
  USER_PASSWORD: z.string().min(1).default('user-password-1'),
  ADMIN_EMAIL: z.email().default('admin@demo.test'),
  ADMIN_PASSWORD: z.string().min(1).default('admin-password-1'),
});

export type DemoConfig = Readonly<{
  port: number;
  faults: ReadonlySet<Fault>;
  /** Multiplies every simulated duration; the `slow` fault multiplies it again by 3. */
  latencyScale: number;
  throttleLimit: number;
  seed: string;
  tokenTtlSeconds: number;
  accounts: ReadonlyArray<{ email: string; password: string; role: 'user' | 'admin' }>;
}>;

/** Parses a comma list of fault names; unknown names throw, naming the known ones. */
export function parseFaults(list: string): Set<Fault> {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(FAULTS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown fault ${unknown.join(', ')}; expected a comma list of ${FAULTS.join(', ')}`);
  return new Set(names as Fault[]);
}

export function parseDemoConfig(source: Record<string, string | undefined>): DemoConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? '?');
    throw new Error(
      `Invalid demo API setting ${key}: ${issue?.message ?? 'invalid value'}, got ${JSON.stringify(source[key])}.`,
    );
  }
  const raw = result.data;
  const faults = new Set(raw.DEMO_FAULTS);
  return {
    port: raw.DEMO_API_PORT,
    faults,
    latencyScale: raw.DEMO_LATENCY_SCALE,
    throttleLimit: raw.DEMO_THROTTLE_LIMIT,
    seed: raw.DEMO_SEED,
    tokenTtlSeconds: raw.DEMO_TOKEN_TTL_SECONDS,
    accounts: [
      { email: raw.USER_EMAIL, password: raw.USER_PASSWORD, role: 'user' },
      { email: raw.ADMIN_EMAIL, password: raw.ADMIN_PASSWORD, role: 'admin' },
    ],
  };
}
