import { Validator } from '@seriousme/openapi-schema-validator';
import { buildApp } from '../app';
import { parseDemoConfig } from '../config';
import { expect, test } from './demo-fixtures';

type Operation = { summary?: string; tags?: string[]; operationId?: string; responses: Record<string, unknown> };
type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>> };

// Every product route and the statuses it documents: a new route belongs here and in the document.
const PRODUCT_ROUTES = {
  'GET /health': ['200', '400'],
  'POST /api/v1/users': ['201', '400', '409'],
  'GET /api/v1/users/me': ['200', '400', '401'],
  'DELETE /api/v1/users/:id': ['204', '400', '401', '403', '404'],
  'GET /api/v1/admin/users': ['200', '400', '401', '403'],
  'POST /api/v1/admin/users': ['201', '400', '401', '403', '409'],
  'POST /api/v1/auth/login': ['200', '400', '401', '403', '500'],
  'POST /oauth/token': ['200', '400', '401'],
  'POST /api/v1/enterprise/join': ['200', '400', '401', '409'],
  'GET /api/v1/assets': ['200', '400', '401'],
  'POST /api/v1/images/generations': ['202', '400', '401'],
  'GET /api/v1/tasks/:id': ['200', '400', '401', '404'],
  'GET /api/v1/tasks/:id/events': ['200', '400', '401', '404'],
  'GET /api/v1/tasks/:id/stream': ['101', '400', '401', '404', '426'],
  'GET /api/v1/webhooks/signing-secret': ['200', '400', '401'],
  'POST /api/v1/exports': ['200', '400', '401', '429'],
  'GET /api/v1/exports/in-flight': ['200', '400', '401'],
  'POST /api/v1/consoles': ['201', '400', '401'],
  'GET /api/v1/consoles/:id': ['200', '400', '401', '404'],
  'GET /api/v1/consoles/:id/channel': ['101', '400', '401', '404', '409', '426'],
} as const;

const isProductRoute = (url: string) => !url.startsWith('/__demo/') && url !== '/openapi.json';
const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

test('GET /openapi.json is a valid OpenAPI 3.1 document', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const response = await demo.api.get('/openapi.json');
  expect(response.status()).toBe(200);
  const document = (await response.json()) as OpenApiDocument;
  expect(document.openapi).toMatch(/^3\.1\.\d+$/);
  expect(await new Validator().validate(document)).toMatchObject({ valid: true });
});

test('the document holds every product route with its statuses, and no test control', async () => {
  const app = buildApp(parseDemoConfig({}));
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method !== 'HEAD' && isProductRoute(route.url)) registered.push(`${String(route.method)} ${route.url}`);
  });
  await app.ready();
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  await app.close();

  expect(registered.toSorted()).toEqual(Object.keys(PRODUCT_ROUTES).toSorted());
  const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      route: `${method.toUpperCase()} ${path}`,
      statuses: Object.keys(operation.responses).toSorted(),
      described: Boolean(operation.summary && operation.tags?.length && operation.operationId),
    })),
  );
  const expected = Object.entries(PRODUCT_ROUTES).map(([route, statuses]) => {
    const [method, url] = route.split(' ') as [string, string];
    return { route: `${method} ${toOpenApiPath(url)}`, statuses: [...statuses], described: true };
  });
  expect(documented.toSorted((a, b) => a.route.localeCompare(b.route))).toEqual(
    expected.toSorted((a, b) => a.route.localeCompare(b.route)),
  );
  expect(Object.keys(document.paths).filter((path) => path.startsWith('/__demo'))).toEqual([]);
});

test('the webhook of a generation is documented as a callback with its event schema', async () => {
  const app = buildApp(parseDemoConfig({}));
  await app.ready();
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { callbacks?: Record<string, Record<string, unknown>> }>>;
    components: { schemas: Record<string, unknown> };
  }>();
  await app.close();

  const callbacks = document.paths['/api/v1/images/generations']!['post']!.callbacks;
  expect(callbacks).toMatchObject({
    imageGenerationFinished: {
      '{$request.body#/callbackUrl}': {
        post: {
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' } } } },
        },
      },
    },
  });
  expect(document.components.schemas).toHaveProperty('WebhookEvent');
});

test('response schemas document without filtering: schema-drift still sends state', async ({ startDemoApi }) => {
  const demo = await startDemoApi({ DEMO_FAULTS: 'schema-drift' });
  const { authorization } = await demo.signUp();
  const submitted = await demo.api.post('/api/v1/images/generations', {
    headers: { authorization },
    data: { prompt: 'a fox' },
  });
  expect(submitted.status()).toBe(202);
  expect(await submitted.json()).toEqual({
    taskId: expect.any(String),
    state: 'queued',
    createdAt: expect.any(String),
  });
});
