import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { createAuth } from '../auth';
import { type Distribution, sampleDurationMs } from '../latency';
import { problem, upgradeRequired } from '../replies';
import {
  AUTHENTICATED,
  AUTHENTICATED_PROBLEMS,
  dateTime,
  nullable,
  problemResponse,
  UPGRADE_REQUIRED,
} from '../schemas';
import { countRequest, latencyScale, type StateOptions } from '../state';

type ConsoleStatus = 'starting' | 'ready' | 'closed';
type Console = {
  id: string;
  ownerId: string;
  status: ConsoleStatus;
  createdAt: Date;
  readyAt: Date | null;
  /** Whether a channel is open on it: one at a time. */
  attached: boolean;
};
type ConsoleRequest = FastifyRequest<{ Params: { id: string } }>;

// How long a console takes to start once its channel has shaken hands, and to run one request.
const STARTUP: Distribution = { medianMs: 300, sigma: 0.4, maxFactor: 2.5 };
const EXECUTION: Distribution = { medianMs: 80, sigma: 0.4, maxFactor: 2.5 };

const CONSOLE_SCHEMA = {
  type: 'object',
  required: ['id', 'status', 'channel', 'createdAt', 'readyAt'],
  properties: {
    id: { type: 'string' },
    status: {
      type: 'string',
      enum: ['starting', 'ready', 'closed'],
      description: 'starting until its channel has shaken hands and it has started; closed once the channel closes.',
    },
    channel: { type: 'string', description: 'The path of its WebSocket channel.' },
    createdAt: dateTime,
    readyAt: nullable(dateTime),
  },
} as const;
const CONSOLE_NOT_FOUND = problemResponse('CONSOLE_NOT_FOUND: no such console, or the console of another user.');
const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

const CHANNEL_DESCRIPTION =
  'Open as a WebSocket, with the credential in the upgrade request or in the access_token query parameter. ' +
  'Every client message is JSON with an id. First the handshake, {type: "hello", id}, answered by ' +
  '{type: "welcome", parentId, console}: the console then starts, and is ready a few hundred ms later ' +
  '(GET /api/v1/consoles/{id}). Then requests {type: "execute", id, code: "1 + 2"}, each answered by ' +
  '{type: "status", parentId, state: "busy"}, {type: "result", parentId, value} and ' +
  '{type: "status", parentId, state: "idle"}; a bad request by {type: "error", parentId, code, message}. ' +
  'Closing the channel closes the console.';

/** An interactive console: created over REST, started by a client that holds its channel open and talks on it. */
export const interactiveRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const consoles = new Map<string, Console>();
  const { authenticate } = createAuth(app, state);
  const view = (entry: Console) => ({
    id: entry.id,
    status: entry.status,
    channel: `/api/v1/consoles/${entry.id}/channel`,
    createdAt: entry.createdAt.toISOString(),
    readyAt: entry.readyAt?.toISOString() ?? null,
  });
  const requireOwnConsole = async (request: ConsoleRequest, reply: FastifyReply) => {
    const entry = consoles.get(request.params.id);
    if (!entry || entry.ownerId !== request.account!.id) {
      return problem(reply, 404, 'CONSOLE_NOT_FOUND', `No console ${request.params.id}.`);
    }
  };

  app.post(
    '/api/v1/consoles',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Create an interactive console',
        description: 'Answers 201 with the console starting: it starts once a client has shaken hands on its channel.',
        tags: ['consoles'],
        operationId: 'createConsole',
        security: AUTHENTICATED,
        response: { 201: { description: 'The console, starting.', ...CONSOLE_SCHEMA }, ...AUTHENTICATED_PROBLEMS },
      },
    },
    async (request, reply) => {
      const entry: Console = {
        id: `con_${randomUUID()}`,
        ownerId: request.account!.id,
        status: 'starting',
        createdAt: new Date(),
        readyAt: null,
        attached: false,
      };
      consoles.set(entry.id, entry);
      return reply.code(201).header('location', `/api/v1/consoles/${entry.id}`).send(view(entry));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/consoles/:id',
    {
      onRequest: authenticate,
      preHandler: requireOwnConsole,
      schema: {
        summary: 'Get an interactive console',
        description: 'The readiness sentinel of a console: starting, ready or closed.',
        tags: ['consoles'],
        operationId: 'getConsole',
        security: AUTHENTICATED,
        params: ID_PARAMS,
        response: {
          200: { description: 'The console.', ...CONSOLE_SCHEMA },
          ...AUTHENTICATED_PROBLEMS,
          404: CONSOLE_NOT_FOUND,
        },
      },
    },
    async (request) => view(consoles.get(request.params.id)!),
  );

  app.route<{ Params: { id: string }; Querystring: { access_token?: string } }>({
    method: 'GET',
    url: '/api/v1/consoles/:id/channel',
    // A browser cannot set headers on a WebSocket: the token may come as a query parameter instead.
    onRequest: async (request, reply) => {
      const token = request.query.access_token;
      if (token && !request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
      return authenticate(request, reply);
    },
    preHandler: async (request, reply) => {
      await requireOwnConsole(request, reply);
      if (reply.sent) return;
      const entry = consoles.get(request.params.id)!;
      if (entry.status === 'closed') return problem(reply, 409, 'CONSOLE_CLOSED', `Console ${entry.id} is closed.`);
      if (entry.attached) return problem(reply, 409, 'CHANNEL_IN_USE', `Console ${entry.id} has a channel open.`);
    },
    schema: {
      summary: 'The channel of an interactive console',
      description: CHANNEL_DESCRIPTION,
      tags: ['consoles'],
      operationId: 'openConsoleChannel',
      security: AUTHENTICATED,
      params: ID_PARAMS,
      querystring: {
        type: 'object',
        properties: { access_token: { type: 'string', description: 'The bearer token, for clients without headers.' } },
      },
      response: {
        101: { description: 'Switching Protocols: the channel of the console.', type: 'null' },
        ...AUTHENTICATED_PROBLEMS,
        404: CONSOLE_NOT_FOUND,
        409: problemResponse('CONSOLE_CLOSED: the console is closed; CHANNEL_IN_USE: a channel is open on it.'),
        426: UPGRADE_REQUIRED,
      },
    },
    handler: async (_request, reply) => upgradeRequired(reply),
    wsHandler: (socket, request) => {
      // The HTTP part of the exchange ends with the upgrade, which onResponse never sees.
      countRequest(state, request, 101);
      const entry = consoles.get(request.params.id)!;
      entry.attached = true;
      const scale = latencyScale(state, request.faults);
      const duration = (distribution: Distribution, key: string) =>
        sampleDurationMs(state.config.seed, `${entry.id}:${key}`, distribution, scale);
      serveChannel(socket, entry, {
        silent: request.faults.has('channel-silent'),
        drop: request.faults.has('channel-drop'),
        startupMs: duration(STARTUP, 'startup'),
        executionMs: (requestId) => duration(EXECUTION, requestId),
      });
    },
  });
};

type ChannelBehaviour = {
  /** Fault channel-silent: after the welcome, the channel says nothing more. */
  silent: boolean;
  /** Fault channel-drop: the connection breaks after the first busy status, without a close frame. */
  drop: boolean;
  startupMs: number;
  executionMs: (requestId: string) => number;
};

function serveChannel(socket: WebSocket, entry: Console, behaviour: ChannelBehaviour) {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  let welcomed = false;
  let silenced = false;
  const send = (message: object) => {
    if (!silenced && socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const refuse = (parentId: unknown, code: string, message: string) =>
    send({ type: 'error', parentId: typeof parentId === 'string' ? parentId : null, code, message });

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    let message: { type?: unknown; id?: unknown; code?: unknown };
    try {
      if (isBinary) throw new SyntaxError('a binary frame');
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return refuse(null, 'INVALID_MESSAGE', 'Messages are JSON objects.');
    }
    const { type, id } = message;
    if (typeof id !== 'string' || id === '') return refuse(null, 'INVALID_MESSAGE', 'Every message has a string id.');
    if (type === 'hello') {
      if (welcomed) return refuse(id, 'ALREADY_WELCOMED', 'The handshake is done.');
      welcomed = true;
      send({ type: 'welcome', parentId: id, console: entry.id });
      silenced = behaviour.silent;
      later(behaviour.startupMs, () => {
        entry.status = 'ready';
        entry.readyAt = new Date();
      });
      return;
    }
    if (type !== 'execute') return refuse(id, 'UNKNOWN_TYPE', `Unknown message type ${String(type)}.`);
    if (!welcomed) return refuse(id, 'HANDSHAKE_REQUIRED', 'Send {type: "hello", id} first.');
    if (entry.status !== 'ready') return refuse(id, 'CONSOLE_STARTING', 'The console is still starting.');
    const value = evaluate(message.code);
    if (value === undefined) return refuse(id, 'INVALID_CODE', 'Code is a sum of numbers: "1 + 2".');
    if (behaviour.drop) {
      socket.send(JSON.stringify({ type: 'status', parentId: id, state: 'busy' }), () => socket.terminate());
      return;
    }
    send({ type: 'status', parentId: id, state: 'busy' });
    later(behaviour.executionMs(id), () => {
      send({ type: 'result', parentId: id, value });
      send({ type: 'status', parentId: id, state: 'idle' });
    });
  });
  socket.once('close', () => {
    for (const timer of timers) clearTimeout(timer);
    entry.attached = false;
    entry.status = 'closed';
  });
}

/** The demo's whole language: a sum of numbers. */
function evaluate(code: unknown): number | undefined {
  if (typeof code !== 'string') return undefined;
  const terms = code.split('+').map((term) => term.trim());
  if (terms.some((term) => !/^-?\d+(\.\d+)?$/.test(term))) return undefined;
  return terms.reduce((sum, term) => sum + Number(term), 0);
}
