import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { type DemoConfig, type Fault, parseFaults } from './config';
import { OPENAPI_OPTIONS } from './openapi';
import { problem } from './replies';
import { authRoutes } from './routes/auth';
import { controlRoutes } from './routes/controls';
import { enterpriseRoutes } from './routes/enterprise';
import { exportRoutes } from './routes/exports';
import { imageRoutes } from './routes/images';
import { interactiveRoutes } from './routes/interactive';
import { oauthRoutes } from './routes/oauth';
import { serviceRoutes } from './routes/service';
import { taskStreamRoutes } from './routes/task-streams';
import { webhookRoutes } from './routes/webhooks';
import { SHARED_SCHEMAS } from './schemas';
import { countRequest, createState, type DemoState } from './state';

export function buildApp(config: DemoConfig) {
  // No type coercion: a number where a string belongs is a 400, as in a strict real API.
  const app = Fastify({ logger: false, ajv: { customOptions: { allErrors: false, coerceTypes: false } } });
  const state = createState(config);

  // Response schemas document the API; what a handler returns goes out unfiltered (faults included).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  void app.register(fastifySwagger, OPENAPI_OPTIONS);
  void app.register(fastifyJwt, { secret: randomUUID(), sign: { expiresIn: config.tokenTtlSeconds } });
  void app.register(fastifyWebsocket);
  addRequestHooks(app, state);
  addErrorHandlers(app);

  void app.register(serviceRoutes);
  for (const routes of [
    authRoutes,
    oauthRoutes,
    enterpriseRoutes,
    imageRoutes,
    taskStreamRoutes,
    interactiveRoutes,
    webhookRoutes,
    exportRoutes,
    controlRoutes,
  ]) {
    void app.register(routes, { state });
  }
  return app;
}

function addRequestHooks(app: FastifyInstance, state: DemoState) {
  const { faults } = state.config;
  app.decorateRequest('account', null);
  app.decorateRequest('faults', null as unknown as ReadonlySet<Fault>);
  app.decorateRequest('actor', undefined);
  // A test can switch a fault on for one request, without changing the behaviour for the others.
  app.addHook('onRequest', async (request, reply) => {
    request.faults = faults;
    const header = request.headers['x-demo-faults'];
    if (typeof header !== 'string') return;
    try {
      request.faults = new Set([...faults, ...parseFaults(header)]);
    } catch (error) {
      return problem(reply, 400, 'INVALID_REQUEST', `x-demo-faults: ${(error as Error).message}`);
    }
  });
  // The task streams count themselves: a WebSocket at its upgrade, an event stream that ends early on close.
  app.addHook('onResponse', async (request, reply) => countRequest(state, request, reply.statusCode));
  app.addHook('preClose', async () => {
    for (const end of state.eventStreams) end();
  });
  app.addHook('onClose', async () => {
    state.queue.close();
    state.holds.releaseAll();
    state.webhooks.close();
  });
}

function addErrorHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: { validation?: unknown; statusCode?: number; message: string }, _request, reply) => {
    if (error.validation || (error.statusCode !== undefined && error.statusCode < 500)) {
      return problem(reply, error.statusCode ?? 400, 'INVALID_REQUEST', error.message);
    }
    return problem(reply, 500, 'INTERNAL_ERROR', 'Unexpected error in the demo API.');
  });
  app.setNotFoundHandler((request, reply) =>
    problem(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}
