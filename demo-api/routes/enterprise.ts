import type { FastifyPluginAsync } from 'fastify';
import { createAuth } from '../auth';
import { problem, unknownHold } from '../replies';
import { AUTHENTICATED, AUTHENTICATED_PROBLEMS, dateTime, nullable, problemResponse } from '../schemas';
import { latencyScale, type StateOptions } from '../state';

const assetsSchema = {
  description: 'The provisioning sentinel: what has been provisioned so far.',
  type: 'object',
  required: ['status', 'enterprise', 'space', 'certificate', 'assets', 'requestedAt', 'readyAt'],
  properties: {
    status: { type: 'string', enum: ['not-joined', 'provisioning', 'ready'] },
    enterprise: { type: ['string', 'null'] },
    space: nullable({
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
    }),
    certificate: nullable({
      type: 'object',
      required: ['id', 'fingerprint', 'expiresAt'],
      properties: { id: { type: 'string' }, fingerprint: { type: 'string' }, expiresAt: dateTime },
    }),
    assets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'name'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string', enum: ['template', 'quota', 'storage'] },
          name: { type: 'string' },
        },
      },
    },
    requestedAt: nullable(dateTime),
    readyAt: nullable(dateTime),
  },
} as const;

/** Enterprise onboarding: the join succeeds at once, provisioning follows on the queue. */
export const enterpriseRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { holds, queue } = state;
  const { authenticate } = createAuth(app, state);

  app.post<{ Body: { enterprise: string } }>(
    '/api/v1/enterprise/join',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Join an enterprise',
        description:
          'Answers at once; the space, the certificate and the initial assets are provisioned later ' +
          '(see GET /api/v1/assets). Until then the login answers 403 ASSETS_NOT_READY.',
        tags: ['enterprise'],
        operationId: 'joinEnterprise',
        security: AUTHENTICATED,
        body: {
          type: 'object',
          required: ['enterprise'],
          additionalProperties: false,
          properties: { enterprise: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: {
          200: {
            description: 'Accepted; provisioning has been queued.',
            type: 'object',
            required: ['code', 'msg'],
            properties: { code: { type: 'integer', const: 200 }, msg: { type: 'string', const: 'success' } },
          },
          ...AUTHENTICATED_PROBLEMS,
          409: problemResponse('ALREADY_JOINED: the caller is already a member of an enterprise.'),
        },
      },
    },
    async (request, reply) => {
      const account = request.account!;
      if (account.provisioning) {
        return problem(reply, 409, 'ALREADY_JOINED', `Already a member of ${account.provisioning.enterprise}.`);
      }
      const holdId = request.headers['x-demo-hold'];
      if (typeof holdId === 'string' && !holds.has(holdId)) return unknownHold(reply, holdId);
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
        latencyScale: latencyScale(state, request.faults),
        neverFinish: request.faults.has('assets-never-ready'),
        // Test control: provisioning starts only when the hold is released.
        ...(typeof holdId === 'string' ? { hold: holds.wait(holdId) } : {}),
      });
      return { code: 200, msg: 'success' };
    },
  );

  app.get(
    '/api/v1/assets',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Provisioning status and assets',
        tags: ['enterprise'],
        operationId: 'getAssets',
        security: AUTHENTICATED,
        response: { 200: assetsSchema, ...AUTHENTICATED_PROBLEMS },
      },
    },
    async (request) => {
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
    },
  );
};
