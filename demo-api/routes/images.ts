import type { FastifyPluginAsync } from 'fastify';
import { createAuth } from '../auth';
import type { Fault } from '../config';
import { DISTRIBUTIONS, sampleDurationMs } from '../latency';
import { problem, setRetryAfter } from '../replies';
import {
  AUTHENTICATED,
  AUTHENTICATED_PROBLEMS,
  RETRY_AFTER_HEADERS,
  TASK_ID_PARAMS,
  TASK_NOT_FOUND,
  dateTime,
} from '../schemas';
import { latencyScale, type StateOptions } from '../state';
import { SCENARIOS, createTask, taskView, type Scenario } from '../tasks';

const scenarioFor = (faults: ReadonlySet<Fault>, requested: Scenario | undefined): Scenario => {
  if (faults.has('task-stuck')) return 'never-finishes';
  if (faults.has('task-fails')) return 'fails';
  return requested ?? 'completes';
};

/** Image generation: submit (202), then poll the task (or follow it: routes/task-streams.ts, webhooks.ts). */
export const imageRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { config, tasks, webhooks } = state;
  const { authenticate } = createAuth(app, state);

  app.post<{
    Body: { prompt: string; size?: string; n?: number; callbackUrl?: string };
    Headers: { 'x-demo-scenario'?: Scenario };
  }>(
    '/api/v1/images/generations',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Submit an image generation',
        description:
          'Answers 202 at once; poll the task at Location, honouring Retry-After, or stream it. With a callbackUrl, ' +
          'the finished task is also sent there as a Standard Webhooks event, signed with the secret of ' +
          'GET /api/v1/webhooks/signing-secret (headers webhook-id, webhook-timestamp, webhook-signature) and ' +
          'sent again, with the same webhook-id, until the receiver answers 2xx within 2 s (at most 6 attempts).',
        tags: ['images'],
        operationId: 'createImageGeneration',
        security: AUTHENTICATED,
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
            callbackUrl: {
              type: 'string',
              format: 'uri',
              pattern: '^https?://',
              maxLength: 2000,
              description: 'Where to send the webhook of the finished task (http or https).',
            },
          },
        },
        callbacks: {
          imageGenerationFinished: {
            '{$request.body#/callbackUrl}': {
              post: {
                requestBody: {
                  required: true,
                  content: { 'application/json': { schema: { $ref: 'WebhookEvent#' } } },
                },
                responses: {
                  '2XX': { description: 'Received. Any other answer, or none within 2 s, gets the message again.' },
                },
              },
            },
          },
        },
        response: {
          202: {
            description: 'The task was queued.',
            type: 'object',
            required: ['taskId', 'status', 'createdAt'],
            properties: {
              taskId: { type: 'string' },
              status: { type: 'string', enum: ['queued', 'processing'] },
              createdAt: dateTime,
            },
            headers: {
              location: { type: 'string', description: 'The task: /api/v1/tasks/{id}.' },
              ...RETRY_AFTER_HEADERS,
            },
          },
          ...AUTHENTICATED_PROBLEMS,
        },
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const scale = latencyScale(state, request.faults);
      const durationMs = sampleDurationMs(config.seed, request.body.prompt, DISTRIBUTIONS.imageGeneration, scale);
      const task = createTask(
        {
          ownerId: request.account!.id,
          prompt: request.body.prompt,
          size: request.body.size ?? '1024x1024',
          count: request.body.n ?? 1,
          scenario: scenarioFor(request.faults, request.headers['x-demo-scenario']),
          callbackUrl: request.body.callbackUrl ?? null,
        },
        durationMs,
        now,
      );
      tasks.set(task.id, task);
      webhooks.schedule(task, { faults: request.faults, latencyScale: scale });
      const { body, state: taskState } = taskView(task, now, request.faults.has('schema-drift'));
      const { status, state: driftedStatus } = body as { status?: string; state?: string };
      setRetryAfter(reply, taskState.retryAfterMs ?? 1000);
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

  app.get<{ Params: { id: string } }>(
    '/api/v1/tasks/:id',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Read a task',
        description: 'Only the owner may read a task; Retry-After says when to ask again while it is not finished.',
        tags: ['images'],
        operationId: 'getTask',
        security: AUTHENTICATED,
        params: TASK_ID_PARAMS,
        response: {
          200: { description: 'The task.', $ref: 'Task#', headers: RETRY_AFTER_HEADERS },
          ...AUTHENTICATED_PROBLEMS,
          404: TASK_NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const task = tasks.get(request.params.id);
      // Someone else's task answers exactly like a missing one: its existence is not revealed.
      if (!task || task.ownerId !== request.account!.id) {
        return problem(reply, 404, 'TASK_NOT_FOUND', `No task ${request.params.id}.`);
      }
      const { body, state: taskState } = taskView(task, Date.now(), request.faults.has('schema-drift'));
      if (taskState.retryAfterMs !== null) setRetryAfter(reply, taskState.retryAfterMs);
      return body;
    },
  );
};
