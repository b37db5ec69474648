import type { FastifyPluginAsync } from 'fastify';
import { createAuth } from '../auth';
import type { Fault } from '../config';
import { DISTRIBUTIONS, sampleDurationMs } from '../latency';
import { problem, setRetryAfter } from '../replies';
import { AUTHENTICATED, AUTHENTICATED_PROBLEMS, RETRY_AFTER_HEADERS, dateTime, problemResponse } from '../schemas';
import { latencyScale, type StateOptions } from '../state';
import { SCENARIOS, createTask, taskView, type Scenario } from '../tasks';

const scenarioFor = (faults: ReadonlySet<Fault>, requested: Scenario | undefined): Scenario => {
  if (faults.has('task-stuck')) return 'never-finishes';
  if (faults.has('task-fails')) return 'fails';
  return requested ?? 'completes';
};

/** Image generation: submit (202), then poll the task. */
export const imageRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { config, tasks } = state;
  const { authenticate } = createAuth(app, state);

  app.post<{ Body: { prompt: string; size?: string; n?: number }; Headers: { 'x-demo-scenario'?: Scenario } }>(
    '/api/v1/images/generations',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Submit an image generation',
        description: 'Answers 202 at once; poll the task at Location, honouring Retry-After.',
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
      const durationMs = sampleDurationMs(
        config.seed,
        request.body.prompt,
        DISTRIBUTIONS.imageGeneration,
        latencyScale(state, request.faults),
      );
      const task = createTask(
        {
          ownerId: request.account!.id,
          prompt: request.body.prompt,
          size: request.body.size ?? '1024x1024',
          count: request.body.n ?? 1,
          scenario: scenarioFor(request.faults, request.headers['x-demo-scenario']),
        },
        durationMs,
        now,
      );
      tasks.set(task.id, task);
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
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: {
          200: { description: 'The task.', $ref: 'Task#', headers: RETRY_AFTER_HEADERS },
          ...AUTHENTICATED_PROBLEMS,
          404: problemResponse('TASK_NOT_FOUND: no such task, or the task of another user.'),
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
