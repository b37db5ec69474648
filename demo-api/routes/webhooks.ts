import type { FastifyPluginAsync } from 'fastify';
import { createAuth } from '../auth';
import { AUTHENTICATED, AUTHENTICATED_PROBLEMS } from '../schemas';
import type { StateOptions } from '../state';

/** The signing secret of the webhooks that finished tasks send to their callbackUrl. */
export const webhookRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { webhooks } = state;
  const { authenticate } = createAuth(app, state);

  app.get(
    '/api/v1/webhooks/signing-secret',
    {
      onRequest: authenticate,
      schema: {
        summary: 'The webhook signing secret',
        description:
          'The Standard Webhooks secret that signs the webhooks of the tasks of the caller: made at random ' +
          'when first asked for, the same afterwards. Verify a webhook with it and its headers webhook-id, ' +
          'webhook-timestamp and webhook-signature.',
        tags: ['webhooks'],
        operationId: 'getWebhookSigningSecret',
        security: AUTHENTICATED,
        response: {
          200: {
            description: 'The signing secret of the account of the caller.',
            type: 'object',
            required: ['secret'],
            properties: { secret: { type: 'string', pattern: '^whsec_', description: 'whsec_ and base64.' } },
          },
          ...AUTHENTICATED_PROBLEMS,
        },
      },
    },
    async (request) => ({ secret: webhooks.signingSecret(request.account!.id) }),
  );
};
