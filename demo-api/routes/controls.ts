import { STATUS_CODES } from 'node:http';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createAuth } from '../auth';
import { problem } from '../replies';
import { emailSchema } from '../schemas';
import type { StateOptions } from '../state';

type EchoedCredentials = { authorization: string | null; apiKey: string | null };

const headerValue = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The credentials themselves: the Authorization value without its scheme, and the API key. */
const credentialsOf = ({ authorization, apiKey }: EchoedCredentials) =>
  [authorization?.replace(/^\S+\s+/, ''), apiKey].filter((value): value is string => Boolean(value));

/** An error page as careless servers render it: the caller's credentials in an attribute, a link and text. */
function echoPage(status: number, credentials: EchoedCredentials) {
  const title = escapeHtml(`${status} ${STATUS_CODES[status] ?? 'Error'}`);
  const sentHeaders = [
    credentials.authorization === null ? null : `Authorization: ${credentials.authorization}`,
    credentials.apiKey === null ? null : `X-API-Key: ${credentials.apiKey}`,
  ].filter((line) => line !== null);
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${title}</title></head>`,
    '<body>',
    `<h1>${title}</h1>`,
    '<p>The upstream service did not answer. The request was:</p>',
    `<pre>${sentHeaders.map(escapeHtml).join('\n') || 'no credentials'}</pre>`,
    ...credentialsOf(credentials).map(
      (credential) =>
        `<div class="session" data-api-token="${escapeHtml(credential)}">` +
        `<a href="/login?token=${escapeHtml(encodeURIComponent(credential))}">Try again</a></div>`,
    ),
    '</body></html>',
    '',
  ].join('\n');
}

/** Test controls: never part of a real API, hidden from the OpenAPI document. */
export const controlRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { accounts, config, holds, stats, tasks, webhooks } = state;
  const { issueToken } = createAuth(app, state);

  app.get<{ Querystring: { actor?: string } }>('/__demo/stats', { schema: { hide: true } }, async (request) =>
    stats.snapshot(request.query.actor),
  );

  app.get('/__demo/config', { schema: { hide: true } }, async () => ({
    faults: [...config.faults],
    latencyScale: config.latencyScale,
    throttleLimit: config.throttleLimit,
    workerSlots: config.workerSlots,
    retryAfter: config.retryAfter.kind === 'constant' ? String(config.retryAfter.seconds) : config.retryAfter.kind,
    taskMedianMs: config.taskMedianMs,
    taskP95Ms: config.taskP95Ms,
    seed: config.seed,
  }));

  app.post('/__demo/holds', { schema: { hide: true } }, async (_request, reply) =>
    reply.code(201).send({ holdId: holds.create() }),
  );

  app.get<{ Params: { id: string } }>('/__demo/holds/:id', { schema: { hide: true } }, async (request, reply) => {
    const waiting = holds.waiting(request.params.id);
    if (waiting === undefined) return problem(reply, 404, 'HOLD_NOT_FOUND', `No hold ${request.params.id}.`);
    return { holdId: request.params.id, waiting };
  });

  app.post<{ Params: { id: string } }>(
    '/__demo/holds/:id/release',
    { schema: { hide: true } },
    async (request, reply) => {
      const released = holds.release(request.params.id);
      if (released === undefined) return problem(reply, 404, 'HOLD_NOT_FOUND', `No hold ${request.params.id}.`);
      return { holdId: request.params.id, released };
    },
  );

  // What the webhook of a task has done so far: proof that one was sent, redelivered, or not (yet) attempted.
  app.get<{ Querystring: { taskId: string } }>(
    '/__demo/webhooks',
    {
      schema: {
        hide: true,
        querystring: { type: 'object', required: ['taskId'], properties: { taskId: { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const { taskId } = request.query;
      if (!tasks.has(taskId)) return problem(reply, 404, 'TASK_NOT_FOUND', `No task ${taskId}.`);
      return { deliveries: webhooks.attemptsOf(taskId) };
    },
  );

  app.post<{ Body: { email: string; expiresInSeconds: number } }>(
    '/__demo/tokens',
    {
      schema: {
        hide: true,
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

  // For the starter's secret-leak check: an error response that repeats the caller's credentials.
  app.get<{ Querystring: { status?: string; format?: 'html' | 'json' } }>(
    '/__demo/echo-credentials',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', pattern: '^[2-5][0-9]{2}$' },
            format: { type: 'string', enum: ['html', 'json'] },
          },
        },
      },
    },
    async (request, reply) => {
      const status = Number(request.query.status ?? 502);
      const credentials = {
        authorization: headerValue(request, 'authorization'),
        apiKey: headerValue(request, 'x-api-key'),
      };
      reply.code(status);
      if (request.query.format === 'json') {
        return {
          error: (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/\W+/g, '_'),
          error_description: 'The upstream service did not answer; the request it was given is attached.',
          request: credentials,
        };
      }
      return reply.type('text/html; charset=utf-8').send(echoPage(status, credentials));
    },
  );
};
