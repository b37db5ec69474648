import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { createAuth } from '../auth';
import { DISTRIBUTIONS, sampleDurationMs } from '../latency';
import { problem, setRetryAfter, unknownHold } from '../replies';
import { AUTHENTICATED, AUTHENTICATED_PROBLEMS, RETRY_AFTER_HEADERS, dateTime } from '../schemas';
import { latencyScale, type StateOptions } from '../state';

/** The throttled operation: at most DEMO_THROTTLE_LIMIT exports in flight per account. */
export const exportRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { config, holds, inFlightExports } = state;
  const { authenticate } = createAuth(app, state);

  app.post<{ Body: { format: 'csv' | 'json' }; Headers: { 'x-demo-hold'?: string } }>(
    '/api/v1/exports',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Run an export',
        description: `Throttled: beyond ${config.throttleLimit} exports in flight for the caller, the next one gets 429 at once.`,
        tags: ['exports'],
        operationId: 'createExport',
        security: AUTHENTICATED,
        body: {
          type: 'object',
          required: ['format'],
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['csv', 'json'] } },
        },
        response: {
          200: {
            description: 'The finished export.',
            type: 'object',
            required: ['exportId', 'format', 'rows', 'startedAt', 'completedAt'],
            properties: {
              exportId: { type: 'string' },
              format: { type: 'string', enum: ['csv', 'json'] },
              rows: { type: 'integer' },
              startedAt: dateTime,
              completedAt: dateTime,
            },
          },
          ...AUTHENTICATED_PROBLEMS,
          429: {
            description: 'TOO_MANY_IN_FLIGHT: as many exports as the limit are running; retry after Retry-After.',
            type: 'object',
            required: ['code', 'message', 'limit'],
            properties: {
              code: { type: 'string', const: 'TOO_MANY_IN_FLIGHT' },
              message: { type: 'string' },
              limit: { type: 'integer', description: 'How many exports may run at once.' },
            },
            headers: RETRY_AFTER_HEADERS,
          },
        },
      },
    },
    async (request, reply) => {
      const account = request.account!;
      const holdId = request.headers['x-demo-hold'];
      if (holdId !== undefined && !holds.has(holdId)) return unknownHold(reply, holdId);
      const inFlight = inFlightExports.get(account.id) ?? 0;
      if (inFlight >= config.throttleLimit && !request.faults.has('throttle-off')) {
        setRetryAfter(reply, 1);
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
            latencyScale(state, request.faults),
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

  app.get(
    '/api/v1/exports/in-flight',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Exports in flight',
        description: 'The throttle sentinel: how many exports of the caller are running, and the limit.',
        tags: ['exports'],
        operationId: 'getExportsInFlight',
        security: AUTHENTICATED,
        response: {
          200: {
            description: 'The exports of the caller in flight.',
            type: 'object',
            required: ['inFlight', 'limit'],
            properties: { inFlight: { type: 'integer' }, limit: { type: 'integer' } },
          },
          ...AUTHENTICATED_PROBLEMS,
        },
      },
    },
    async (request) => ({
      inFlight: inFlightExports.get(request.account!.id) ?? 0,
      limit: config.throttleLimit,
    }),
  );
};
