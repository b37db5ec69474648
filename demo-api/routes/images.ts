import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createAuth } from '../auth';
import type { Fault } from '../config';
import { sampleDurationMs } from '../latency';
import { problem, setRetryAfter } from '../replies';
import { RETRY_AFTER_MODES, type RetryAfterMode, parseRetryAfterMode, retryAfterSeconds } from '../retry-after';
import {
  AUTHENTICATED,
  AUTHENTICATED_PROBLEMS,
  RETRY_AFTER_HEADERS,
  TASK_ID_PARAMS,
  TASK_NOT_FOUND,
  dateTime,
} from '../schemas';
import { type DemoState, latencyScale, type StateOptions } from '../state';
import { SCENARIOS, type Task, type TaskState, createTask, taskStateAt, taskView, type Scenario } from '../tasks';

const scenarioFor = (faults: ReadonlySet<Fault>, requested: Scenario | undefined): Scenario => {
  if (faults.has('task-stuck')) return 'never-finishes';
  if (faults.has('task-fails')) return 'fails';
  return requested ?? 'completes';
};

/** DEMO_RETRY_AFTER, or what the request's x-demo-retry-after asks for; undefined after answering 400. */
function retryAfterModeOf(state: DemoState, request: FastifyRequest, reply: FastifyReply): RetryAfterMode | undefined {
  const header = request.headers['x-demo-retry-after'];
  if (typeof header !== 'string') return state.config.retryAfter;
  const mode = parseRetryAfterMode(header);
  if (!mode) void problem(reply, 400, 'INVALID_REQUEST', `x-demo-retry-after: expected ${RETRY_AFTER_MODES}.`);
  return mode;
}

/** Retry-After on the answer about a task that is not finished, in whole seconds, as the mode says. */
function hintWhenToAskAgain(
  reply: FastifyReply,
  mode: RetryAfterMode,
  state: DemoState,
  task: Task,
  taskState: TaskState,
) {
  const workload = {
    typicalMs: state.taskDuration.medianMs * latencyScale(state, reply.request.faults),
    slots: state.workers.slots,
    startedAt: task.startsAt,
  };
  const seconds = retryAfterSeconds(mode, taskState, workload, Date.now());
  if (seconds !== undefined) setRetryAfter(reply, seconds);
}

/** Image generation: submit (202), then poll the task (or follow it: routes/task-streams.ts, webhooks.ts). */
export const imageRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { config, tasks, webhooks, workers } = state;
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
          'Answers 202 at once: the task is queued for the workers. Poll it at Location, honouring Retry-After ' +
          '(whole seconds), or stream it. With a callbackUrl, ' +
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
      const retryAfter = retryAfterModeOf(state, request, reply);
      if (!retryAfter) return reply;
      const now = Date.now();
      const scale = latencyScale(state, request.faults);
      const durationMs = sampleDurationMs(config.seed, request.body.prompt, state.taskDuration, scale);
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
        workers,
      );
      tasks.set(task.id, task);
      webhooks.schedule(task, { faults: request.faults, latencyScale: scale });
      hintWhenToAskAgain(reply, retryAfter, state, task, taskStateAt(task, now, workers));
      // Accepted means queued, even when a worker takes the task at once.
      const status = 'queued';
      return reply
        .code(202)
        .header('location', `/api/v1/tasks/${task.id}`)
        .send({
          taskId: task.id,
          ...(request.faults.has('schema-drift') ? { state: status } : { status }),
          createdAt: new Date(task.createdAt).toISOString(),
        });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/tasks/:id',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Read a task',
        description:
          'Only the owner may read a task; while it is not finished, Retry-After (whole seconds) says when to ask ' +
          'again, and while it waits for a worker, queuePosition says its place in the queue.',
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
      const retryAfter = retryAfterModeOf(state, request, reply);
      if (!retryAfter) return reply;
      const { body, state: taskState } = taskView(task, Date.now(), workers, request.faults.has('schema-drift'));
      const finished = taskState.status === 'completed' || taskState.status === 'failed';
      if (!finished) hintWhenToAskAgain(reply, retryAfter, state, task, taskState);
      return body;
    },
  );
};
