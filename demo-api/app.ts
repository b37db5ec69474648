import { createHash, randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { type DemoConfig, type Fault, parseFaults } from './config';
import { Holds } from './holds';
import { DISTRIBUTIONS, sampleDurationMs } from './latency';
import { ProvisioningQueue, type Provisioning } from './provisioning';
import { RequestStats } from './stats';
import { SCENARIOS, createTask, taskView, type Scenario, type Task } from './tasks';

type Account = {
  id: string;
  email: string;
  passwordHash: string;
  role: 'user' | 'admin';
  createdAt: Date;
  provisioning: Provisioning | null;
};

type TokenClaims = { sub: string; email: string; role: Account['role'] };

declare module 'fastify' {
  interface FastifyRequest {
    account: Account | null;
    /** DEMO_FAULTS, plus the faults this request asks for in its x-demo-faults header. */
    faults: ReadonlySet<Fault>;
    /** The e-mail this request acts for, for the per-actor request counters. */
    actor: string | undefined;
  }
}

const hashPassword = (password: string) => createHash('sha256').update(password).digest('hex');

const problem = (reply: FastifyReply, status: number, code: string, message: string, extra: object = {}) =>
  reply.code(status).send({ code, message, ...extra });

const setRetryAfter = (reply: FastifyReply, ms: number) =>
  reply.header('retry-after', String(Math.max(1, Math.ceil(ms / 1000)))).header('retry-after-ms', String(ms));

const emailSchema = { type: 'string', format: 'email', maxLength: 200 } as const;
const credentialsSchema = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: emailSchema, password: { type: 'string', minLength: 8, maxLength: 200 } },
} as const;

export function buildApp(config: DemoConfig) {
  // No type coercion: a number where a string belongs is a 400, as in a strict real API.
  const app = Fastify({ logger: false, ajv: { customOptions: { allErrors: false, coerceTypes: false } } });
  const accounts = new Map<string, Account>();
  const tasks = new Map<string, Task>();
  const inFlightExports = new Map<string, number>();
  const stats = new RequestStats();
  const holds = new Holds();
  const queue = new ProvisioningQueue({ seed: config.seed, concurrency: 32 });
  const latencyScale = (request: FastifyRequest) => config.latencyScale * (request.faults.has('slow') ? 3 : 1);

  for (const seeded of config.accounts) {
    accounts.set(seeded.email, {
      id: `usr_${randomUUID()}`,
      email: seeded.email,
      passwordHash: hashPassword(seeded.password),
      role: seeded.role,
      createdAt: new Date(),
      provisioning: null,
    });
  }

  void app.register(fastifyJwt, {
    secret: randomUUID(),
    sign: { expiresIn: config.tokenTtlSeconds },
  });

  app.decorateRequest('account', null);
  app.decorateRequest('faults', null as unknown as ReadonlySet<Fault>);
  // A test can switch a fault on for one request, without changing the behaviour for the others.
  app.addHook('onRequest', async (request, reply) => {
    request.faults = config.faults;
    const header = request.headers['x-demo-faults'];
    if (typeof header !== 'string') return;
    try {
      request.faults = new Set([...config.faults, ...parseFaults(header)]);
    } catch (error) {
      return problem(reply, 400, 'INVALID_REQUEST', `x-demo-faults: ${(error as Error).message}`);
    }
  });
  app.decorateRequest('actor', undefined);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ? `${request.method} ${request.routeOptions.url}` : 'unmatched';
    stats.record(route, reply.statusCode, request.actor);
  });
  app.addHook('onClose', async () => {
    queue.close();
    holds.releaseAll();
  });

  app.setErrorHandler((error: { validation?: unknown; statusCode?: number; message: string }, _request, reply) => {
    if (error.validation || (error.statusCode !== undefined && error.statusCode < 500)) {
      return problem(reply, error.statusCode ?? 400, 'INVALID_REQUEST', error.message);
    }
    return problem(reply, 500, 'INTERNAL_ERROR', 'Unexpected error in the demo API.');
  });
  app.setNotFoundHandler((request, reply) =>
    problem(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );

  const issueToken = (account: Account, expiresInSeconds = config.tokenTtlSeconds) =>
    app.jwt.sign({ sub: account.id, email: account.email, role: account.role } satisfies TokenClaims, {
      expiresIn: expiresInSeconds,
    });

  // Who a rejected token claims to be, for the request counters only.
  const actorOf = (token: string) => {
    try {
      return app.jwt.decode<Partial<TokenClaims>>(token)?.email;
    } catch {
      return undefined;
    }
  };

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      return problem(reply, 401, 'MISSING_TOKEN', 'Send a token as "Authorization: Bearer <token>".');
    }
    const token = header.slice('Bearer '.length);
    let claims: TokenClaims;
    try {
      claims = app.jwt.verify<TokenClaims>(token);
    } catch (error) {
      request.actor = actorOf(token);
      const expired = (error as { code?: string }).code === 'FAST_JWT_EXPIRED';
      return expired
        ? problem(reply, 401, 'TOKEN_EXPIRED', 'The token has expired; log in again.')
        : problem(reply, 401, 'INVALID_TOKEN', 'The token is not valid.');
    }
    const account = accounts.get(claims.email);
    if (!account || account.id !== claims.sub) {
      return problem(reply, 401, 'INVALID_TOKEN', 'The token belongs to no account.');
    }
    request.account = account;
    request.actor = account.email;
  }

  const requireAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.account?.role !== 'admin') return problem(reply, 403, 'FORBIDDEN', 'Only an admin may do this.');
  };

  const accountView = (account: Account) => ({
    id: account.id,
    email: account.email,
    role: account.role,
    createdAt: account.createdAt.toISOString(),
  });

  const createAccount = (email: string, password: string, reply: FastifyReply) => {
    if (accounts.has(email)) return problem(reply, 409, 'EMAIL_TAKEN', `An account for ${email} already exists.`);
    const account: Account = {
      id: `usr_${randomUUID()}`,
      email,
      passwordHash: hashPassword(password),
      role: 'user',
      createdAt: new Date(),
      provisioning: null,
    };
    accounts.set(email, account);
    return reply.code(201).send(accountView(account));
  };

  app.get('/health', async () => ({ status: 'ok' }));

  // --- accounts and auth -------------------------------------------------------------------

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/users',
    { schema: { body: credentialsSchema } },
    async (request, reply) => {
      request.actor = request.body.email;
      return createAccount(request.body.email, request.body.password, reply);
    },
  );

  app.get('/api/v1/users/me', { onRequest: authenticate }, async (request) => accountView(request.account!));

  app.delete<{ Params: { id: string } }>('/api/v1/users/:id', { onRequest: authenticate }, async (request, reply) => {
    const caller = request.account!;
    if (caller.id !== request.params.id && caller.role !== 'admin') {
      return problem(reply, 403, 'FORBIDDEN', 'Only the account itself or an admin may delete it.');
    }
    const target = [...accounts.values()].find((account) => account.id === request.params.id);
    if (!target) return problem(reply, 404, 'USER_NOT_FOUND', `No user ${request.params.id}.`);
    if (config.accounts.some((seeded) => seeded.email === target.email)) {
      return problem(reply, 403, 'FORBIDDEN', 'The configured role accounts cannot be deleted.');
    }
    accounts.delete(target.email);
    return reply.code(204).send();
  });

  app.get('/api/v1/admin/users', { onRequest: [authenticate, requireAdmin] }, async () => ({
    users: [...accounts.values()].map(accountView),
  }));

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/admin/users',
    { onRequest: [authenticate, requireAdmin], schema: { body: credentialsSchema } },
    async (request, reply) => createAccount(request.body.email, request.body.password, reply),
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: { email: emailSchema, password: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      request.actor = request.body.email;
      const account = accounts.get(request.body.email);
      if (!account || account.passwordHash !== hashPassword(request.body.password)) {
        return problem(reply, 401, 'INVALID_CREDENTIALS', 'Wrong e-mail or password.');
      }
      if (account.provisioning && !account.provisioning.readyAt) {
        if (request.faults.has('login-500')) {
          return problem(reply, 500, 'INTERNAL_ERROR', 'Asset lookup failed: provisioning record incomplete.');
        }
        return problem(reply, 403, 'ASSETS_NOT_READY', 'Your enterprise assets are still being provisioned.');
      }
      return { token: issueToken(account), tokenType: 'Bearer', expiresIn: config.tokenTtlSeconds };
    },
  );

  // --- enterprise onboarding: success at once, provisioning later --------------------------

  app.post<{ Body: { enterprise: string } }>(
    '/api/v1/enterprise/join',
    {
      onRequest: authenticate,
      schema: {
        body: {
          type: 'object',
          required: ['enterprise'],
          additionalProperties: false,
          properties: { enterprise: { type: 'string', minLength: 1, maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const account = request.account!;
      if (account.provisioning) {
        return problem(reply, 409, 'ALREADY_JOINED', `Already a member of ${account.provisioning.enterprise}.`);
      }
      const holdId = request.headers['x-demo-hold'];
      if (typeof holdId === 'string' && !holds.has(holdId)) {
        return problem(reply, 400, 'INVALID_REQUEST', `Unknown hold ${holdId}; create one with POST /__demo/holds.`);
      }
      account.provisioning = {
        enterprise: request.body.enterprise,
        requestedAt: new Date(),
        readyAt: null,
        space: null,
        certificate: null,
        assets: [],
      };
      queue.enqueue({
        key: account.email,
        provisioning: account.provisioning,
        latencyScale: latencyScale(request),
        neverFinish: request.faults.has('assets-never-ready'),
        // Test control: provisioning starts only when the hold is released.
        ...(typeof holdId === 'string' ? { hold: holds.wait(holdId) } : {}),
      });
      return { code: 200, msg: 'success' };
    },
  );

  app.get('/api/v1/assets', { onRequest: authenticate }, async (request) => {
    const provisioning = request.account!.provisioning;
    if (!provisioning) {
      return {
        status: 'not-joined',
        enterprise: null,
        space: null,
        certificate: null,
        assets: [],
        requestedAt: null,
        readyAt: null,
      };
    }
    return {
      status: provisioning.readyAt ? 'ready' : 'provisioning',
      enterprise: provisioning.enterprise,
      space: provisioning.space,
      certificate: provisioning.certificate,
      assets: provisioning.assets,
      requestedAt: provisioning.requestedAt.toISOString(),
      readyAt: provisioning.readyAt?.toISOString() ?? null,
    };
  });

  // --- image generation: submit, then poll ----------------------------------------------------

  const scenarioFor = (faults: ReadonlySet<Fault>, requested: Scenario | undefined): Scenario => {
    if (faults.has('task-stuck')) return 'never-finishes';
    if (faults.has('task-fails')) return 'fails';
    return requested ?? 'completes';
  };

  app.post<{ Body: { prompt: string; size?: string; n?: number }; Headers: { 'x-demo-scenario'?: Scenario } }>(
    '/api/v1/images/generations',
    {
      onRequest: authenticate,
      schema: {
        headers: {
          type: 'object',
          properties: { 'x-demo-scenario': { type: 'string', enum: [...SCENARIOS] } },
        },
        body: {
          type: 'object',
          required: ['prompt'],
          additionalProperties: false,
          properties: {
            prompt: { type: 'string', minLength: 1, maxLength: 1000 },
            size: { type: 'string', enum: ['256x256', '512x512', '1024x1024'] },
            n: { type: 'integer', minimum: 1, maximum: 4 },
          },
        },
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const durationMs = sampleDurationMs(
        config.seed,
        request.body.prompt,
        DISTRIBUTIONS.imageGeneration,
        latencyScale(request),
      );
      const task = createTask(
        {
          ownerId: request.account!.id,
          prompt: request.body.prompt,
          size: request.body.size ?? '1024x1024',
          count: request.body.n ?? 1,
          scenario: scenarioFor(request.faults, request.headers['x-demo-scenario']),
        },
        durationMs,
        now,
      );
      tasks.set(task.id, task);
      const { body, state } = taskView(task, now, request.faults.has('schema-drift'));
      const { status, state: driftedStatus } = body as { status?: string; state?: string };
      setRetryAfter(reply, state.retryAfterMs ?? 1000);
      return reply
        .code(202)
        .header('location', `/api/v1/tasks/${task.id}`)
        .send({
          taskId: task.id,
          ...(status === undefined ? { state: driftedStatus } : { status }),
          createdAt: body.createdAt,
        });
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/tasks/:id', { onRequest: authenticate }, async (request, reply) => {
    const task = tasks.get(request.params.id);
    // Someone else's task answers exactly like a missing one: its existence is not revealed.
    if (!task || task.ownerId !== request.account!.id) {
      return problem(reply, 404, 'TASK_NOT_FOUND', `No task ${request.params.id}.`);
    }
    const { body, state } = taskView(task, Date.now(), request.faults.has('schema-drift'));
    if (state.retryAfterMs !== null) setRetryAfter(reply, state.retryAfterMs);
    return body;
  });

  // --- the throttled operation ----------------------------------------------------------------

  app.post<{ Body: { format: 'csv' | 'json' }; Headers: { 'x-demo-hold'?: string } }>(
    '/api/v1/exports',
    {
      onRequest: authenticate,
      schema: {
        body: {
          type: 'object',
          required: ['format'],
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['csv', 'json'] } },
        },
      },
    },
    async (request, reply) => {
      const account = request.account!;
      const holdId = request.headers['x-demo-hold'];
      if (holdId !== undefined && !holds.has(holdId)) {
        return problem(reply, 400, 'INVALID_REQUEST', `Unknown hold ${holdId}; create one with POST /__demo/holds.`);
      }
      const inFlight = inFlightExports.get(account.id) ?? 0;
      if (inFlight >= config.throttleLimit && !request.faults.has('throttle-off')) {
        setRetryAfter(reply, 1000);
        return problem(reply, 429, 'TOO_MANY_IN_FLIGHT', `At most ${config.throttleLimit} exports may run at once.`, {
          limit: config.throttleLimit,
        });
      }
      inFlightExports.set(account.id, inFlight + 1);
      try {
        const started = Date.now();
        if (holdId !== undefined) {
          await holds.wait(holdId);
        } else {
          const ms = sampleDurationMs(
            config.seed,
            `${account.id}:${started}`,
            DISTRIBUTIONS.export,
            latencyScale(request),
          );
          await new Promise((resolve) => setTimeout(resolve, ms));
        }
        return {
          exportId: `exp_${randomUUID()}`,
          format: request.body.format,
          rows: 42,
          startedAt: new Date(started).toISOString(),
          completedAt: new Date().toISOString(),
        };
      } finally {
        inFlightExports.set(account.id, (inFlightExports.get(account.id) ?? 1) - 1);
      }
    },
  );

  app.get('/api/v1/exports/in-flight', { onRequest: authenticate }, async (request) => ({
    inFlight: inFlightExports.get(request.account!.id) ?? 0,
    limit: config.throttleLimit,
  }));

  // --- test controls: never part of a real API --------------------------------------------------

  app.get<{ Querystring: { actor?: string } }>('/__demo/stats', async (request) => stats.snapshot(request.query.actor));

  app.get('/__demo/config', async () => ({
    faults: [...config.faults],
    latencyScale: config.latencyScale,
    throttleLimit: config.throttleLimit,
    seed: config.seed,
  }));

  app.post('/__demo/holds', async (_request, reply) => reply.code(201).send({ holdId: holds.create() }));

  app.get<{ Params: { id: string } }>('/__demo/holds/:id', async (request, reply) => {
    const waiting = holds.waiting(request.params.id);
    if (waiting === undefined) return problem(reply, 404, 'HOLD_NOT_FOUND', `No hold ${request.params.id}.`);
    return { holdId: request.params.id, waiting };
  });

  app.post<{ Params: { id: string } }>('/__demo/holds/:id/release', async (request, reply) => {
    const released = holds.release(request.params.id);
    if (released === undefined) return problem(reply, 404, 'HOLD_NOT_FOUND', `No hold ${request.params.id}.`);
    return { holdId: request.params.id, released };
  });

  app.post<{ Body: { email: string; expiresInSeconds: number } }>(
    '/__demo/tokens',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'expiresInSeconds'],
          additionalProperties: false,
          properties: { email: emailSchema, expiresInSeconds: { type: 'integer', minimum: -86400, maximum: 86400 } },
        },
      },
    },
    async (request, reply) => {
      const account = accounts.get(request.body.email);
      if (!account) return problem(reply, 404, 'USER_NOT_FOUND', `No account for ${request.body.email}.`);
      return reply.code(201).send({ token: issueToken(account, request.body.expiresInSeconds) });
    },
  );

  return app;
}
