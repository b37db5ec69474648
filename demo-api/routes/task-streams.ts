import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createAuth } from '../auth';
import { problem, upgradeRequired } from '../replies';
import { AUTHENTICATED, AUTHENTICATED_PROBLEMS, TASK_ID_PARAMS, TASK_NOT_FOUND, UPGRADE_REQUIRED } from '../schemas';
import { countRequest, latencyScale, type StateOptions } from '../state';
import { watchTask } from '../task-events';

type TaskRequest = FastifyRequest<{ Params: { id: string } }>;

// How often a processing task reports its progress, times the latency scale.
const PROGRESS_TICK_MS = 100;

const STREAM_DESCRIPTION =
  'The current state at once, then an event whenever the status changes and a progress event every ' +
  '100 ms (times the latency scale) while the task is processing; the task is the body of GET /api/v1/tasks/{id}.';

/** Task progress pushed to the client: server-sent events and a WebSocket, instead of polling. */
export const taskStreamRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { eventStreams, tasks } = state;
  const { authenticate } = createAuth(app, state);

  // As GET /api/v1/tasks/{id} does, and before any stream starts: someone else's task is a missing one.
  const requireOwnTask = async (request: TaskRequest, reply: FastifyReply) => {
    const task = tasks.get(request.params.id);
    if (!task || task.ownerId !== request.account!.id) {
      return problem(reply, 404, 'TASK_NOT_FOUND', `No task ${request.params.id}.`);
    }
  };

  const watch = (request: TaskRequest, emit: Parameters<typeof watchTask>[2]) =>
    watchTask(
      tasks.get(request.params.id)!,
      {
        tickMs: PROGRESS_TICK_MS * latencyScale(state, request.faults),
        renameStatus: request.faults.has('schema-drift'),
        workers: state.workers,
      },
      emit,
    );

  app.get<{ Params: { id: string } }>(
    '/api/v1/tasks/:id/events',
    {
      // A HEAD would hold a stream open with nothing to send.
      exposeHeadRoute: false,
      onRequest: authenticate,
      preHandler: requireOwnTask,
      schema: {
        summary: 'Stream a task as server-sent events',
        description:
          `${STREAM_DESCRIPTION} Each event has an id, the event progress, completed or failed, and the task ` +
          'as data; the response ends after completed or failed.',
        tags: ['images'],
        operationId: 'streamTaskEvents',
        security: AUTHENTICATED,
        params: TASK_ID_PARAMS,
        response: {
          200: {
            description: 'The event stream of the task.',
            content: {
              'text/event-stream': {
                schema: {
                  type: 'string',
                  examples: ['id: 1\nevent: progress\ndata: {"id":"tsk_…","status":"queued",…}\n\n'],
                },
              },
            },
          },
          ...AUTHENTICATED_PROBLEMS,
          404: TASK_NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const drop = request.faults.has('stream-drop');
      const raw = reply.hijack().raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let lastId = 0;
      let dropping = false;
      const stop = watch(request, ({ type, task }) => {
        if (dropping || raw.destroyed) return;
        lastId += 1;
        const event = `id: ${lastId}\nevent: ${type}\ndata: ${JSON.stringify(task)}\n\n`;
        if (type !== 'progress') {
          raw.end(event);
        } else if (drop) {
          // Fault stream-drop: the connection breaks after the first progress event.
          dropping = true;
          raw.write(event, () => raw.destroy());
        } else {
          raw.write(event);
        }
      });
      const end = () => raw.end();
      eventStreams.add(end);
      raw.once('close', () => {
        stop();
        eventStreams.delete(end);
        // A stream that ends without finishing (the client left, the connection broke) is counted here.
        if (!raw.writableFinished) countRequest(state, request, raw.statusCode);
      });
    },
  );

  app.route<{ Params: { id: string } }>({
    method: 'GET',
    url: '/api/v1/tasks/:id/stream',
    onRequest: authenticate,
    preHandler: requireOwnTask,
    schema: {
      summary: 'Stream a task over a WebSocket',
      description:
        'Open as a WebSocket; credentials and refusals come with the upgrade request, as plain HTTP. ' +
        `${STREAM_DESCRIPTION} Each message is a JSON text frame {type: progress | completed | failed, task}; ` +
        'after completed or failed the server closes with 1000 "task finished".',
      tags: ['images'],
      operationId: 'streamTask',
      security: AUTHENTICATED,
      params: TASK_ID_PARAMS,
      response: {
        101: { description: 'Switching Protocols: the WebSocket of the task.', type: 'null' },
        ...AUTHENTICATED_PROBLEMS,
        404: TASK_NOT_FOUND,
        426: UPGRADE_REQUIRED,
      },
    },
    handler: async (_request, reply) => upgradeRequired(reply),
    wsHandler: (socket, request) => {
      // The HTTP part of the exchange ends with the upgrade, which onResponse never sees.
      countRequest(state, request, 101);
      const drop = request.faults.has('stream-drop');
      let dropping = false;
      const stop = watch(request, ({ type, task }) => {
        if (dropping || socket.readyState !== socket.OPEN) return;
        const message = JSON.stringify({ type, task });
        if (type !== 'progress') {
          socket.send(message);
          socket.close(1000, 'task finished');
        } else if (drop) {
          // Fault stream-drop: the connection breaks after the first progress message, without a close frame.
          dropping = true;
          socket.send(message, () => socket.terminate());
        } else {
          socket.send(message);
        }
      });
      socket.once('close', stop);
    },
  });
};
