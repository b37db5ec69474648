import type { FastifyPluginAsync } from 'fastify';
import { INVALID_REQUEST } from '../schemas';

// Who answers: the starter's config reuses a server already on its port only if it says this
// (EMBEDDED_API_IDENTITY in demo.env).
const DEMO_SERVER = 'playwright-async-api-starter-demo';

export const serviceRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Health check',
        tags: ['service'],
        operationId: 'getHealth',
        response: {
          200: {
            description: 'The service is up.',
            type: 'object',
            required: ['status'],
            properties: { status: { type: 'string', const: 'ok' } },
          },
          400: INVALID_REQUEST,
        },
      },
    },
    async (_request, reply) => {
      reply.header('server', DEMO_SERVER);
      return { status: 'ok' };
    },
  );

  // The document of the product routes, built from their schemas.
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
