import { z } from 'zod';

// What the pattern specs in tests/ need from your API, as settings (.env.example, "the pattern specs"):
// each names an operation, and a spec whose setting is unset skips, saying which one to set. Once
// your own specs replace a pattern, drop its setting here and in .env.

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const SHAPE = /^(?:(?<name>[^:{]+?):\s+)?(?<method>[A-Z]+)\s+(?<path>\/\S*)(?:\s+(?<body>\{.*\}))?$/s;

export type ExampleOperation = {
  /** The operation's name: its SLA is SLA_<NAME>_MS, its waits and reports carry it. */
  name: string;
  method: (typeof METHODS)[number];
  path: string;
  /** The JSON body sent with it, if any. */
  body?: Record<string, unknown>;
};

/** `report export: POST /reports {"format":"csv"}`: an optional name, the method, the path and a JSON body. */
const operation = z.string().transform((value, context): ExampleOperation => {
  const match = SHAPE.exec(value.trim())?.groups;
  const method = METHODS.find((known) => known === match?.['method']);
  let body: Record<string, unknown> | undefined;
  try {
    body = match?.['body'] === undefined ? undefined : (JSON.parse(match['body']) as Record<string, unknown>);
  } catch {
    body = undefined;
  }
  if (!match || !method || (match['body'] !== undefined && body === undefined)) {
    context.addIssue({
      code: 'custom',
      message:
        'expected "<name>: <METHOD> <path> <JSON body>", such as "report export: POST /reports {"format":"csv"}"',
    });
    return z.NEVER;
  }
  const path = match['path']!;
  return { name: match['name'] ?? `${method} ${path}`, method, path, ...(body ? { body } : {}) };
});

/** `403 ASSETS_NOT_READY`: the status, and the code in the body, that mean "not yet". */
const refusal = z.string().transform((value, context) => {
  const match = /^(?<status>[1-5]\d\d)\s+(?<code>\S+)$/.exec(value.trim())?.groups;
  if (!match) {
    context.addIssue({
      code: 'custom',
      message: 'expected an HTTP status and the code in the body, such as "403 NOT_READY"',
    });
    return z.NEVER;
  }
  return { status: Number(match['status']), code: match['code']! };
});

/** `x-test-hold: POST /test/holds`: the header that holds a request, and the call that opens a hold. */
const hold = z.string().transform((value, context) => {
  const match = /^(?<header>[\w-]+):\s+(?<call>.+)$/.exec(value.trim())?.groups;
  const call = match ? operation.safeParse(match['call']) : undefined;
  if (!match || !call?.success) {
    context.addIssue({
      code: 'custom',
      message: 'expected "<header>: <METHOD> <path>", such as "x-test-hold: POST /holds"',
    });
    return z.NEVER;
  }
  return { header: match['header']!, open: call.data };
});

export const ExampleSettings = z.object({
  /** An operation every role of ROLES may call: `GET /me`. */
  EXAMPLE_ROLE_CALL: operation.optional(),
  /** An operation answering 202 and the Location of a job whose `status` ends `completed`. */
  EXAMPLE_JOB: operation.optional(),
  /** The path of the job's server-sent events, `{location}` standing for its Location: `{location}/events`. */
  EXAMPLE_JOB_EVENTS: z.string().includes('{location}').optional(),
  /** The body field the job takes a callback URL in, and the call answering its signing secret `{ secret }`. */
  EXAMPLE_CALLBACK_FIELD: z.string().min(1).optional(),
  EXAMPLE_WEBHOOK_SECRET_OPERATION: operation.optional(),
  /** A sign-up that takes the login's username and password fields: a fresh account per test. */
  EXAMPLE_SIGN_UP: operation.optional(),
  /** A call of a fresh account with an effect that comes later, and what its login answers until then. */
  EXAMPLE_SIDE_EFFECT: operation.optional(),
  EXAMPLE_NOT_READY: refusal.optional(),
  /** A throttled operation, its sentinel answering `{ inFlight, limit }`, and a way to hold calls in flight. */
  EXAMPLE_THROTTLED: operation.optional(),
  EXAMPLE_THROTTLE_SENTINEL: operation.optional(),
  EXAMPLE_HOLD: hold.optional(),
});
export type ExampleSettings = z.infer<typeof ExampleSettings>;

/** A job's status, as far as the patterns need it: replace it with your contract. */
export const JobStatus = z.object({ status: z.string() }).loose();

/** What a login answers once it is let in: replace it with your contract. */
export const LoginAnswer = z.object({}).loose();

/** A throttle's sentinel: how many calls are in flight, and the limit. */
export const InFlight = z.object({ inFlight: z.int().nonnegative(), limit: z.int().positive() });

/** A server-sent event about a job: the job's status in its data. */
export const JobStreamEvent = z.object({ event: z.string(), data: JobStatus });
export type JobStreamEvent = z.infer<typeof JobStreamEvent>;

/** What a call that opens a hold answers: its id, sent back in the hold header. */
export const HoldOpened = z.object({ holdId: z.string().min(1) });

/** What the call answering a webhook signing secret answers. */
export const SigningSecret = z.object({ secret: z.string().min(1) });

/** A signed event about a job: its type, and the job's id somewhere in its data. */
export const JobEvent = z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) });
export type JobEvent = z.infer<typeof JobEvent>;
