import { z } from 'zod';
import {
  byStatusField,
  notReadyWhileAccepted,
  notReadyWhileRefused,
  retryAfterMs,
  whenBody,
} from '../../helpers/readiness/classifiers';
import { expect, test } from '../../fixtures';

const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status: () => status,
  headers: () => headers,
  text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
});

const Task = z.object({
  id: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
// The ready answer of a login, reduced to a field that no secret scan mistakes for a token.
const LoginResponse = z.object({ userId: z.string() });
const byStatus = byStatusField({ schema: Task });

test('Retry-After is read in milliseconds, seconds or as a date', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  expect(retryAfterMs({ 'retry-after-ms': '1530', 'retry-after': '2' })).toBe(1530);
  expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
  expect(retryAfterMs({ 'retry-after': 'Mon, 23 Nov 2026 10:00:03 GMT' }, now)).toBe(3000);
  expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
  expect(retryAfterMs({})).toBeUndefined();
});

test('a status field: completed is ready, failed is fatal with the server error, the rest not ready', async () => {
  const task = (status: string, error: unknown = null) => ({ id: 't1', status, error });
  expect(await byStatus(response(200, task('completed')))).toEqual({
    kind: 'ready',
    value: task('completed'),
    observed: 'status completed',
    httpStatus: 200,
  });
  expect(await byStatus(response(200, task('processing'), { 'retry-after': '1' }))).toEqual({
    kind: 'not-ready',
    observed: 'status processing',
    httpStatus: 200,
    retryAfterMs: 1_000,
    phase: 'processing',
    queuePosition: undefined,
  });
  expect(await byStatus(response(200, task('failed', { code: 'GENERATION_FAILED', message: 'no GPU' })))).toEqual({
    kind: 'fatal',
    category: 'terminal-failure',
    observed: 'status failed',
    httpStatus: 200,
    evidence: 'status failed: GENERATION_FAILED: no GPU',
  });
});

test('a status field: each not-ready status is a phase, and a queue position is read where the API gives one', async () => {
  const QueuedTask = Task.extend({ queuePosition: z.int().positive().nullable() });
  const withPosition = byStatusField({ schema: QueuedTask, queuePositionField: 'queuePosition' });
  const task = (status: string, queuePosition: number | null) => ({ id: 't1', status, error: null, queuePosition });
  expect(await withPosition(response(200, task('queued', 3)))).toEqual({
    kind: 'not-ready',
    observed: 'status queued (queue position 3)',
    httpStatus: 200,
    retryAfterMs: undefined,
    phase: 'queued',
    queuePosition: 3,
  });
  expect(await withPosition(response(200, task('processing', null)))).toMatchObject({
    phase: 'processing',
    queuePosition: undefined,
  });
  // Not asked for, the position is not read.
  expect(await byStatusField({ schema: QueuedTask })(response(200, task('queued', 3)))).toMatchObject({
    observed: 'status queued',
    phase: 'queued',
    queuePosition: undefined,
  });
});

test('a status field: any other HTTP status is fatal, with the body', async () => {
  const verdict = await byStatus(response(500, { code: 'INTERNAL_ERROR', message: 'boom' }));
  expect(verdict).toEqual({
    kind: 'fatal',
    category: 'unexpected-status',
    observed: 'HTTP 500 INTERNAL_ERROR',
    httpStatus: 500,
    evidence:
      'HTTP 500 INTERNAL_ERROR, not retried (expected HTTP 200).\nBody:\n{\n  "code": "INTERNAL_ERROR",\n  "message": "boom"\n}',
  });
});

test('a status field: a body that breaks the contract is fatal, with the zod explanation', async () => {
  const verdict = await byStatus(response(200, { id: 't1', state: 'processing', error: null }));
  expect(verdict).toMatchObject({ kind: 'fatal', category: 'contract-violation' });
  expect(verdict.kind === 'fatal' && verdict.evidence).toContain('→ at status');
});

test('a refusal with one code is the only not-ready signal; every other answer is ready or fatal', async () => {
  const login = notReadyWhileRefused({ status: 403, code: 'ASSETS_NOT_READY', schema: LoginResponse });
  expect(await login(response(403, { code: 'ASSETS_NOT_READY', message: 'wait' }))).toEqual({
    kind: 'not-ready',
    observed: 'HTTP 403 ASSETS_NOT_READY',
    httpStatus: 403,
    retryAfterMs: undefined,
  });
  expect(await login(response(200, { userId: 'usr_1' }))).toEqual({
    kind: 'ready',
    value: { userId: 'usr_1' },
    observed: 'HTTP 200',
    httpStatus: 200,
  });
  for (const [status, body, observed] of [
    [500, { code: 'INTERNAL_ERROR', message: 'boom' }, 'HTTP 500 INTERNAL_ERROR'],
    [403, { code: 'FORBIDDEN', message: 'no' }, 'HTTP 403 FORBIDDEN'],
    [401, { code: 'INVALID_CREDENTIALS', message: 'no' }, 'HTTP 401 INVALID_CREDENTIALS'],
    [502, '<html>Bad Gateway</html>', 'HTTP 502'],
  ] as const) {
    expect(await login(response(status, body))).toMatchObject({
      kind: 'fatal',
      category: 'unexpected-status',
      observed,
      evidence: expect.stringContaining('not retried (only 403 ASSETS_NOT_READY means not ready)'),
    });
  }
});

test('202 Accepted is not ready; 200 or 201 is ready', async () => {
  const accepted = notReadyWhileAccepted({ schema: z.object({ id: z.string() }) });
  expect(await accepted(response(202, {}, { 'retry-after': '1' }))).toMatchObject({
    kind: 'not-ready',
    retryAfterMs: 1000,
  });
  expect(await accepted(response(201, { id: 'r1' }))).toMatchObject({ kind: 'ready', value: { id: 'r1' } });
  expect(await accepted(response(404, { code: 'NOT_FOUND', message: 'gone' }))).toMatchObject({
    kind: 'fatal',
    category: 'unexpected-status',
  });
});

test('a sentinel body is ready when its predicate says so', async () => {
  const inFlight = whenBody({
    schema: z.object({ inFlight: z.int() }),
    isReady: (body) => body.inFlight === 3,
    describe: (body) => `${body.inFlight} in flight`,
  });
  expect(await inFlight(response(200, { inFlight: 2 }))).toMatchObject({ kind: 'not-ready', observed: '2 in flight' });
  expect(await inFlight(response(200, { inFlight: 3 }))).toMatchObject({ kind: 'ready', observed: '3 in flight' });
});
