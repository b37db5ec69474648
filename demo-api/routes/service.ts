import type { FastifyPluginAsync } from 'fastify';
import { INVALID_REQUEST } from '../schemas';

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
    async () => ({ status: 'ok' }),
  );

  // The document of the product routes, built from their schemas.
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
