import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI callbacks of the operation, such as a webhook; @fastify/swagger copies them into the document. */
    callbacks?: Record<string, unknown>;
  }
}

type HeadersSchema = { properties?: Record<string, unknown> };

/** The x-demo-* request headers are test controls: the document leaves them out. */
function withoutControlHeaders(schema: FastifySchema): FastifySchema {
  const headers = schema?.headers as HeadersSchema | undefined;
  if (!headers?.properties) return schema;
  const properties = Object.entries(headers.properties).filter(([name]) => !name.startsWith('x-demo-'));
  const { headers: _controls, ...rest } = schema;
  return properties.length === 0
    ? rest
    : { ...rest, headers: { ...headers, properties: Object.fromEntries(properties) } };
}

export const OPENAPI_OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Demo API',
      version: '1.0.0',
      description:
        'The asynchronous system the starter tests by default: accounts, enterprise onboarding, image generation ' +
        'tasks (polled, streamed or reported by webhook) and throttled exports. Test controls (/__demo/…, ' +
        'x-demo-* headers) are not part of this document.',
    },
    tags: [
      { name: 'service', description: 'Health of the service.' },
      { name: 'auth', description: 'Login and OAuth 2.0 client credentials.' },
      { name: 'users', description: 'Sign-up and the accounts.' },
      { name: 'enterprise', description: 'Joining an enterprise; its assets are provisioned later.' },
      { name: 'images', description: 'Image generation: submit, then poll the task or follow it as it is pushed.' },
      { name: 'webhooks', description: 'The signing secret of the webhooks that finished tasks send.' },
      { name: 'exports', description: 'Exports, throttled to a few in flight per account.' },
      { name: 'consoles', description: 'Interactive consoles, started and used over a WebSocket channel.' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token from the login or from POST /oauth/token, or a static API key (also as "Authorization: token <key>").',
        },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A static API key.' },
        oauth2: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } },
        },
        clientBasic: { type: 'http', scheme: 'basic', description: 'OAuth 2.0 client id and secret.' },
      },
    },
  },
  transform: ({ schema, url }) => ({ schema: withoutControlHeaders(schema), url }),
  // Shared schemas keep their $id as their name under components/schemas.
  refResolver: {
    buildLocalReference: (json, _baseUri, _fragment, index) =>
      typeof json.$id === 'string' ? json.$id : `def-${index}`,
  },
};
