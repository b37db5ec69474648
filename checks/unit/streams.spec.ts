import { type IncomingHttpHeaders, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect } from '@playwright/test';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { AuthSource, Exchange, ExchangeReporter } from '../../helpers/http/client';
import type { StreamChannel } from '../../helpers/push/streams/opening';
import { StreamWaitError, type StreamWaitOptions, waitForStreamEvent } from '../../helpers/push/streams/wait';
import type { WaitReporter } from '../../helpers/wait';
import { Redactor } from '../../helpers/secrets/redactor';

// A small task API with both channels, on a port of its own per test: `GET /tasks/<script>/events`
// (server-sent events) and `GET /tasks/<script>/stream` (WebSocket), each playing one script.

const API_KEY = 'unit-key-4Qm9Zt';
const SECRET = 'unit-secret-8Lw2Hs';

type FakeTask = {
  status: 'processing' | 'completed' | 'failed';
  progress: number | string;
  completedAt: string | null;
  error: { code: string; message: string } | null;
  note?: string;
};

const processing = (progress: number | string): FakeTask => ({
  status: 'processing',
  progress,
  completedAt: null,
  error: null,
});
const completed = (): FakeTask => ({
  status: 'completed',
  progress: 100,
  completedAt: new Date().toISOString(),
  error: null,
});
const failed: FakeTask = {
  status: 'failed',
  progress: 30,
  completedAt: null,
  error: { code: 'GPU_OOM', message: 'out of GPU memory' },
};

/** What the server sends, and what it does after: end the stream, keep it open, or cut the connection. */
const SCRIPTS = {
  completes: { tasks: () => [processing(20), processing(60), completed()], then: 'end' },
  fails: { tasks: () => [processing(20), failed], then: 'linger' },
  drifts: { tasks: () => [processing(20), { ...processing('forty'), note: SECRET }], then: 'linger' },
  drops: { tasks: () => [processing(20)], then: 'drop' },
  // Drops after its first event unless asked to resume (Last-Event-ID), then sends the rest.
  resumes: { tasks: () => [processing(20), processing(60), completed()], then: 'end' },
  'never-ends': { tasks: () => [processing(20)], then: 'linger' },
} as const;
type Script = keyof typeof SCRIPTS;

const EVENT_OF = { processing: 'progress', completed: 'completed', failed: 'failed' } as const;

async function startTaskServer() {
  const seenHeaders: IncomingHttpHeaders[] = [];
  const openStreams = new Set<ServerResponse | WebSocket>();
  const scriptOf = (url = ''): (typeof SCRIPTS)[Script] | undefined =>
    SCRIPTS[/^\/tasks\/([\w-]+)\//.exec(url)?.[1] as Script];
  const refusal = (headers: IncomingHttpHeaders, url?: string) => {
    seenHeaders.push(headers);
    if (headers['x-api-key'] !== API_KEY) return { status: 401, body: { code: 'UNAUTHORIZED', message: 'no key' } };
    if (!scriptOf(url)) return { status: 404, body: { code: 'NOT_FOUND', message: 'no such task' } };
    return undefined;
  };

  const server = createServer((request, response) => {
    const refused = refusal(request.headers, request.url);
    if (refused) {
      response.writeHead(refused.status, { 'content-type': 'application/json' }).end(JSON.stringify(refused.body));
      return;
    }
    const script = scriptOf(request.url)!;
    openStreams.add(response);
    response.on('close', () => openStreams.delete(response));
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const all = script.tasks();
    const resumedAfter = Number(request.headers['last-event-id'] ?? 0);
    const tasks = script === SCRIPTS.resumes && !resumedAfter ? all.slice(0, 1) : all;
    const then = script === SCRIPTS.resumes && !resumedAfter ? 'drop' : script.then;
    tasks.forEach((task, index) => {
      if (index < resumedAfter) return;
      const chunk = `id: ${index + 1}\nevent: ${EVENT_OF[task.status]}\ndata: ${JSON.stringify(task)}\n\n`;
      const last = index === tasks.length - 1;
      if (!last || then === 'linger') response.write(chunk);
      else if (then === 'end') response.end(chunk);
      else response.write(chunk, () => response.socket?.destroy());
    });
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const refused = refusal(request.headers, request.url);
    if (refused) {
      const body = JSON.stringify(refused.body);
      socket.end(
        `HTTP/1.1 ${refused.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    const script = scriptOf(request.url)!;
    sockets.handleUpgrade(request, socket, head, (ws) => {
      openStreams.add(ws);
      ws.on('close', () => openStreams.delete(ws));
      const tasks = script.tasks();
      tasks.forEach((task, index) => {
        const message = JSON.stringify({ type: EVENT_OF[task.status], task });
        const last = index === tasks.length - 1;
        if (!last || script.then === 'linger') ws.send(message);
        else if (script.then === 'end') ws.send(message, () => ws.close(1000));
        else ws.send(message, () => ws.terminate());
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** The URL a wait is given: http, for either channel. */
    url: (script: string, channel: StreamChannel) =>
      `http://127.0.0.1:${port}/tasks/${script}/${channel === 'sse' ? 'events' : 'stream'}`,
    /** The URL the channel is opened on: ws for a WebSocket. */
    openedUrl: (script: string, channel: StreamChannel) =>
      `${channel === 'sse' ? 'http' : 'ws'}://127.0.0.1:${port}/tasks/${script}/${channel === 'sse' ? 'events' : 'stream'}`,
    seenHeaders,
    openStreams: () => openStreams.size,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const test = base.extend<{ server: Awaited<ReturnType<typeof startTaskServer>> }>({
  server: async ({}, use) => {
    const server = await startTaskServer();
    await use(server);
    await server.close();
  },
});

const TaskBody = z.object({
  status: z.enum(['processing', 'completed', 'failed']),
  progress: z.int().min(0).max(100),
  completedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
const TaskEvent = z.object({ event: z.enum(['progress', 'completed', 'failed']), id: z.string(), data: TaskBody });
const TaskMessage = z.object({ type: z.enum(['progress', 'completed', 'failed']), task: TaskBody });
type TaskBody = z.infer<typeof TaskBody>;

const describeTask = (task: TaskBody) =>
  task.error ? `failed: ${task.error.code}: ${task.error.message}` : `${task.status} ${task.progress} %`;

const fixedKey: AuthSource = {
  header: async () => ({ name: 'X-API-Key', value: API_KEY }),
  renew: async () => undefined,
};

/** The options of a wait for task `script`, for either channel: the same task, whichever way it comes. */
function taskWait(
  server: { url(script: string, channel: StreamChannel): string },
  channel: StreamChannel,
  script: string,
): StreamWaitOptions<TaskBody> {
  return {
    channel,
    url: server.url(script, channel),
    operation: 'image generation',
    subject: `task ${script}`,
    slaMs: 10_000,
    auth: fixedKey,
    // Either channel carries the same task; the schema checks the message and hands the task on.
    schema: channel === 'sse' ? TaskEvent.transform((event) => event.data) : TaskMessage.transform(({ task }) => task),
    isTerminal: (task) => task.status !== 'processing',
    isFailure: (task) => task.status === 'failed',
    describe: describeTask,
    completedAt: (task) => task.completedAt,
  };
}

/** Keeps the exchanges reported to it and, as the fixture's report does, fails with an exchange's error. */
function reportedExchanges() {
  const reported: Exchange[] = [];
  const report: ExchangeReporter = async (_start, send) => {
    const exchange = await send();
    reported.push(exchange);
    if (exchange.error) throw exchange.error;
    return exchange;
  };
  return { reported, report };
}

async function failureOf(promise: Promise<unknown>): Promise<StreamWaitError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StreamWaitError);
  return error as StreamWaitError;
}

/** A reporter that keeps the steps' final titles and the attachments, as the fixture's Allure steps would show them. */
function recordingReporter() {
  const steps: string[] = [];
  const attachments: Array<{ name: string; value: unknown }> = [];
  const reporter: WaitReporter = {
    step: async (title, body) => {
      const index = steps.push(title) - 1;
      return body({
        rename: async (name) => void (steps[index] = name),
        parameter: async () => undefined,
        attachJson: async (name, value) => void attachments.push({ name, value }),
      });
    },
  };
  return { reporter, steps, attachments };
}

const CHANNELS = ['sse', 'websocket'] as const;
// What each channel is expected to show of the same script.
const SHOWN = {
  sse: {
    name: 'event stream',
    named: 'event stream from',
    httpStatus: 200,
    ids: ['1', '2', '3'],
    progressAt: 'data.progress',
    dropped: 'ended \\(.+\\)',
  },
  websocket: {
    name: 'WebSocket connection',
    named: 'WebSocket connection to',
    httpStatus: 101,
    ids: [undefined, undefined, undefined],
    progressAt: 'task.progress',
    dropped: 'closed with code 1006',
  },
} as const;

for (const channel of CHANNELS) {
  test(`${channel}: the terminal event resolves the wait, with a record of every message`, async ({ server }) => {
    const { reporter, steps, attachments } = recordingReporter();

    const { message, record } = await waitForStreamEvent({ ...taskWait(server, channel, 'completes'), reporter });

    expect(message).toMatchObject({ status: 'completed', progress: 100 });
    expect(record).toMatchObject({
      operation: `image generation (${channel})`,
      subject: 'task completes',
      channel,
      outcome: 'ready',
      provoked: false,
      attempts: 3,
      httpStatus: SHOWN[channel].httpStatus,
    });
    expect(record.timeline.map(({ observed, verdict }) => `${observed} → ${verdict}`)).toEqual([
      'processing 20 % → not-ready',
      'processing 60 % → not-ready',
      'completed 100 % → ready',
    ]);
    expect(record.timeline.map((entry) => entry.id)).toEqual(SHOWN[channel].ids);
    expect(record.timeToReadyMs).toBe(record.timeline[2]!.receivedAtMs);
    expect(record.bracket).toEqual({
      lastNotReadyMs: record.timeline[1]!.receivedAtMs,
      firstReadyMs: record.timeline[2]!.receivedAtMs,
    });
    expect(record.receivedAfterCompletionMs).toEqual(expect.any(Number));
    expect(steps).toEqual([
      `Wait for image generation (${channel}): task completes (SLA 10 s)`,
      `Open ${SHOWN[channel].name} ${server.openedUrl('completes', channel)} → HTTP ${SHOWN[channel].httpStatus}`,
      'Message 1: processing 20 % → not ready',
      'Message 2: processing 60 % → not ready',
      'Message 3: completed 100 % → ready',
      expect.stringMatching(/^Close: closed by the (client|server)/),
    ]);
    expect(attachments.map((attachment) => attachment.name)).toEqual([
      'message 1',
      'message 2',
      'message 3',
      'readiness timeline',
    ]);
    await expect.poll(() => server.openStreams()).toBe(0);
  });

  test(`${channel}: a failure event fails the wait at once, with the server's error`, async ({ server }) => {
    const failure = await failureOf(
      waitForStreamEvent({ ...taskWait(server, channel, 'fails'), expectedOutcome: 'terminal-failure' }),
    );

    expect(failure.message).toMatch(
      new RegExp(
        `^Terminal failure reported by the API: image generation \\(${channel}\\) of task fails failed on message 2, [\\d.]+ s into the wait: failed: GPU_OOM: out of GPU memory$`,
      ),
    );
    expect(failure.record).toMatchObject({ outcome: 'terminal-failure', provoked: true, attempts: 2 });
    expect(failure.record.timeline.map((entry) => entry.verdict)).toEqual(['not-ready', 'fatal']);
    // The server keeps the stream open after the failure: the wait ended on the event, and closed it.
    expect(failure.record.close).toMatchObject({ by: 'client' });
    await expect.poll(() => server.openStreams()).toBe(0);
  });

  test(`${channel}: a message that breaks the contract fails at once, with zod's explanation, redacted`, async ({
    server,
  }) => {
    const redactor = new Redactor();
    redactor.addSecret(SECRET);
    const { reporter, attachments } = recordingReporter();

    const failure = await failureOf(waitForStreamEvent({ ...taskWait(server, channel, 'drifts'), redactor, reporter }));

    expect(failure.message).toMatch(
      new RegExp(
        `^Contract violation: image generation \\(${channel}\\) of task drifts on message 2, [\\d.]+ s into the wait: it does not match the schema\\.\\n`,
      ),
    );
    expect(failure.message).toContain('✖ Invalid input: expected number, received string');
    expect(failure.message).toContain(`→ at ${SHOWN[channel].progressAt}`);
    expect(failure.message).toContain('"note": "[REDACTED]"');
    expect(failure.message).not.toContain(SECRET);
    expect(JSON.stringify(attachments)).not.toContain(SECRET);
    expect(failure.record.outcome).toBe('contract-violation');
    expect(failure.record.timeline.map((entry) => entry.verdict)).toEqual(['not-ready', 'fatal']);
    await expect.poll(() => server.openStreams()).toBe(0);
  });

  test(`${channel}: a dropped connection is reported as dropped, not as a timeout`, async ({ server }) => {
    const failure = await failureOf(waitForStreamEvent(taskWait(server, channel, 'drops')));

    const url = server.openedUrl('drops', channel).replace(/[.?]/g, '\\$&');
    expect(failure.message).toMatch(
      new RegExp(
        `^Connection dropped: image generation \\(${channel}\\) of task drops was cut off: the ${SHOWN[channel].named} ${url} ${SHOWN[channel].dropped} before a terminal event, after 1 message \\(last: processing 20 %\\)$`,
      ),
    );
    expect(failure.message).not.toMatch(/timeout|SLA/i);
    expect(failure.record).toMatchObject({ outcome: 'connection-dropped', attempts: 1, close: { by: 'server' } });
  });

  test(`${channel}: the SLA bounds a stream that never ends`, async ({ server }) => {
    const failure = await failureOf(waitForStreamEvent({ ...taskWait(server, channel, 'never-ends'), slaMs: 300 }));

    // On a busy machine the first message can come after so short an SLA; either way the wait ends at it.
    expect(failure.message).toMatch(
      new RegExp(
        `^Readiness timeout: image generation \\(${channel}\\) of task never-ends not ready within the 0\\.3 s SLA: (last processing 20 % after 1 message|no message) in [\\d.]+ s, the ${SHOWN[channel].named} \\S+ (still open|never opened)$`,
      ),
    );
    expect(failure.record).toMatchObject({ outcome: 'timeout', slaMs: 300, close: { by: 'client' } });
    await expect.poll(() => server.openStreams()).toBe(0);
  });

  test(`${channel}: the role's credential reaches the server`, async ({ server }) => {
    await waitForStreamEvent(taskWait(server, channel, 'completes'));

    expect(server.seenHeaders.map((headers) => headers['x-api-key'])).toEqual([API_KEY]);
  });

  test(`${channel}: a refused credential is renewed once, and a refusal that stays is reported with its body`, async ({
    server,
  }) => {
    const stale: AuthSource = {
      header: async () => ({ name: 'X-API-Key', value: 'stale-key' }),
      renew: async () => ({ name: 'X-API-Key', value: API_KEY }),
    };
    const renewed = await waitForStreamEvent({ ...taskWait(server, channel, 'completes'), auth: stale });
    expect(renewed.record.outcome).toBe('ready');
    expect(server.seenHeaders.map((headers) => headers['x-api-key'])).toEqual(['stale-key', API_KEY]);

    const failure = await failureOf(waitForStreamEvent({ ...taskWait(server, channel, 'completes'), auth: undefined }));
    expect(failure.message).toContain(
      `Unexpected HTTP status: image generation (${channel}) of task completes was refused: GET ${server.openedUrl('completes', channel)} answered HTTP 401`,
    );
    expect(failure.message).toContain('{"code":"UNAUTHORIZED","message":"no key"}');
    expect(failure.record).toMatchObject({ outcome: 'unexpected-status', httpStatus: 401, attempts: 0 });
  });

  test(`${channel}: every opening request is reported as a call, the refused one with its status and body`, async ({
    server,
  }) => {
    const { reported, report } = reportedExchanges();
    const stale: AuthSource = {
      header: async () => ({ name: 'X-API-Key', value: 'stale-key' }),
      renew: async () => ({ name: 'X-API-Key', value: API_KEY }),
    };
    await waitForStreamEvent({ ...taskWait(server, channel, 'completes'), auth: stale, report, identity: 'user' });
    await failureOf(waitForStreamEvent({ ...taskWait(server, channel, 'never-ends'), slaMs: 300, report }));

    const path = new URL(server.url('completes', channel)).pathname;
    expect(reported.map(({ identity, method, path, response }) => ({ identity, method, path, response }))).toEqual([
      {
        identity: 'user',
        method: 'GET',
        path,
        response: { status: 401, headers: {}, body: '{"code":"UNAUTHORIZED","message":"no key"}' },
      },
      {
        identity: 'user',
        method: 'GET',
        path,
        response: { status: channel === 'sse' ? 200 : 101, headers: {}, body: '' },
      },
      {
        identity: 'anonymous',
        method: 'GET',
        path: path.replace('completes', 'never-ends'),
        response: { status: channel === 'sse' ? 200 : 101, headers: {}, body: '' },
      },
    ]);
    expect(reported[0]!.request.headers).toEqual({ 'X-API-Key': 'stale-key' });
    expect(reported.map((exchange) => exchange.channel)).toEqual([channel, channel, channel]);
    expect(reported.every(({ latencyMs }) => latencyMs >= 0)).toBe(true);
  });

  test(`${channel}: an opening without an answer is reported with the reason, and the wait still fails in its own words`, async ({
    server,
  }) => {
    const { reported, report } = reportedExchanges();
    const url = server.url('completes', channel);
    await server.close(); // nothing listens there any more: the connection is refused

    const failure = await failureOf(waitForStreamEvent({ ...taskWait(server, channel, 'completes'), url, report }));

    expect(failure.record.outcome).toBe('connection-failed');
    expect(reported).toHaveLength(1);
    expect(reported[0]!.response).toBeUndefined();
    expect(reported[0]!.error?.message).toMatch(/\S/);
    expect(reported[0]!.error?.message).not.toBe('no answer');
  });
}

test('sse: a dropped stream is opened again with Last-Event-ID when the wait asks, the drop a step of its own', async ({
  server,
}) => {
  const { reporter, steps } = recordingReporter();

  const { messages, record } = await waitForStreamEvent({
    ...taskWait(server, 'sse', 'resumes'),
    resumeAfterDrop: 1,
    reporter,
  });

  expect(messages.map(describeTask)).toEqual(['processing 20 %', 'processing 60 %', 'completed 100 %']);
  expect(record).toMatchObject({ outcome: 'ready', attempts: 3 });
  expect(record.resumes).toEqual([
    { atMs: expect.any(Number), lastEventId: '1', close: expect.objectContaining({ by: 'server' }) },
  ]);
  expect(server.seenHeaders.at(-1)?.['last-event-id']).toBe('1');
  const url = server.openedUrl('resumes', 'sse');
  expect(steps).toEqual([
    'Wait for image generation (sse): task resumes (SLA 10 s, resuming after up to 1 drop)',
    `Open event stream ${url} → HTTP 200`,
    'Message 1: processing 20 % → not ready',
    expect.stringMatching(
      new RegExp(`^Dropped: the event stream from ${url.replace(/[.?]/g, '\\$&')} closed by the server`),
    ),
    expect.stringMatching(
      /^Open event stream .* again after a drop [\d.]+ s into the wait, Last-Event-ID 1 → HTTP 200$/,
    ),
    'Message 2: processing 60 % → not ready',
    'Message 3: completed 100 % → ready',
    expect.stringMatching(/^Close: closed by the (client|server)/),
  ]);
});

test('sse: the control, the same drop without being asked to resume fails the wait as dropped', async ({ server }) => {
  const failure = await failureOf(waitForStreamEvent(taskWait(server, 'sse', 'resumes')));

  expect(failure.record).toMatchObject({ outcome: 'connection-dropped', attempts: 1, resumes: [] });
  expect(failure.message).toMatch(
    /^Connection dropped: .* before a terminal event, after 1 message \(last: processing 20 %\)$/,
  );
});

for (const channel of CHANNELS) {
  test(`${channel}: a stream silent for longer than its silence limit fails then, as silent, before its SLA`, async ({
    server,
  }) => {
    const failure = await failureOf(
      waitForStreamEvent({ ...taskWait(server, channel, 'never-ends'), silenceMs: 500, expectedOutcome: 'silent' }),
    );

    expect(failure.message).toMatch(
      new RegExp(
        `^Silent channel: image generation \\(${channel}\\) of task never-ends went silent: nothing for [\\d.]+ s, past its silence limit of 0.5 s, after 1 message; last: processing 20 %$`,
      ),
    );
    expect(failure.record).toMatchObject({ outcome: 'silent', provoked: true, attempts: 1, silence: { limitMs: 500 } });
    expect(failure.record.silence!.silentForMs).toBeGreaterThanOrEqual(500);
    expect(failure.record.elapsedMs).toBeLessThan(failure.record.slaMs);
    await expect.poll(() => server.openStreams()).toBe(0);
  });
}
