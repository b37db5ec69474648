import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FullConfig, TestCase, TestResult } from '@playwright/test/reporter';
import { EnvError, parseEnv } from '../../helpers/env';
import { type ApiCall, callsFromAttachments } from '../../helpers/api-summary/calls';
import { operationOfCall, routeTemplate } from '../../helpers/api-summary/operations';
import { renderMarkdown, renderText } from '../../helpers/api-summary/render';
import { type ApiSummary, summarizeApiCalls } from '../../helpers/api-summary/summarize';
import { matchOperation } from '../../helpers/openapi/match';
import { operationsOfDocument } from '../../helpers/openapi/operations';
import { openApiDocumentSetting } from '../../helpers/settings/openapi';
import ApiSummaryReporter from '../../reporters/api-summary-reporter';
import { expect, test } from '../../fixtures';

type Answer = { status: number; latencyMs: number } | { error: string; latencyMs: number };

const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2));
const requestOf = (method: string, path: string) => ({
  name: `${method} ${path} request`,
  contentType: 'application/json',
  body: json({ identity: 'user', method, path, startedAt: '2026-11-30T10:00:00.000Z', headers: {} }),
});
const responseOf = (method: string, path: string, answer: Answer) => ({
  name: `${method} ${path} response`,
  contentType: 'application/json',
  body: json('status' in answer ? { ...answer, headers: {}, body: {} } : answer),
});
const exchange = (method: string, path: string, answer: Answer) => [
  requestOf(method, path),
  responseOf(method, path, answer),
];
const call = (method: string, path: string, status: number | null, latencyMs: number): ApiCall => ({
  method,
  path,
  status,
  latencyMs,
});

const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Shop', version: '2.0.0' },
  servers: [{ url: 'https://api.example.com/v2' }],
  paths: {
    '/users/me': { get: { responses: { '200': {}, '401': {} } } },
    '/users/{userId}': { get: { responses: { '200': {}, '404': {} } }, delete: { responses: { '204': {} } } },
    '/orders': { post: { responses: { '201': {}, '4XX': {} } } },
    '/orders/{orderId}/lines': { get: { responses: { '200': {}, default: {} } }, parameters: [] },
  },
};
const api = operationsOfDocument(DOCUMENT);
const document = { source: 'openapi.json', api };

test('without a document, id-like segments become {id} and the query goes', () => {
  const cases = [
    ['/api/v1/tasks/tsk_3f2b9c1e-5d4a-4b7e-9f0a-1c2d3e4f5a6b', '/api/v1/tasks/{id}'],
    ['/api/v1/users/usr_0c1d2e3f?expand=roles', '/api/v1/users/{id}'],
    ['/orders/12345/lines/7', '/orders/{id}/lines/{id}'],
    ['/files/3f2b9c1e-5d4a-4b7e-9f0a-1c2d3e4f5a6b', '/files/{id}'],
    ['/commits/9fceb02d0ae598e95dc970b74767f19372d61af8', '/commits/{id}'],
    ['/customers/cus_N4x8Qk2Lm', '/customers/{id}'],
    // Words stay words: no digit, too short, or not hex.
    ['/api/v1/exports/in-flight', '/api/v1/exports/in-flight'],
    ['/oauth/client_credentials', '/oauth/client_credentials'],
    ['/api/v1/tasks/tsk_does-not-exist', '/api/v1/tasks/tsk_does-not-exist'],
    ['/api/v1/users/me', '/api/v1/users/me'],
    ['/v2/cafe', '/v2/cafe'],
    ['/?page=2', '/'],
  ] as const;
  for (const [path, template] of cases) expect(routeTemplate(path), path).toBe(template);
});

test('with a document, the most literal template of the method wins, with or without the server path', () => {
  const cases = [
    ['GET', '/users/me', '/users/me'],
    ['GET', '/users/alice', '/users/{userId}'],
    ['DELETE', '/v2/users/42', '/users/{userId}'],
    ['GET', '/orders/7/lines?page=2', '/orders/{orderId}/lines'],
    ['get', '/orders/7/lines/', '/orders/{orderId}/lines'],
  ] as const;
  for (const [method, path, template] of cases) {
    expect(matchOperation(api, method, path)?.template, `${method} ${path}`).toBe(template);
  }
  expect(matchOperation(api, 'POST', '/users/me')).toBeUndefined();
  expect(matchOperation(api, 'GET', '/orders/7/lines/9')).toBeUndefined();
  expect(api).toMatchObject({ title: 'Shop', version: '2.0.0', basePaths: ['/v2'] });
  expect(api.operations).toHaveLength(5);
});

test('the calls of a test: a response pairs with its request, even when concurrent calls interleave', () => {
  const attachments = [
    requestOf('GET', '/tasks/tsk_1a2b3c4d'),
    requestOf('POST', '/exports'),
    responseOf('POST', '/exports', { status: 429, latencyMs: 3 }),
    { name: 'readiness timeline', contentType: 'application/json', body: json({ attempts: [] }) },
    { name: 'GET /tasks/tsk_1a2b3c4d response', contentType: 'text/plain', body: Buffer.from('not the JSON one') },
    responseOf('GET', '/tasks/tsk_1a2b3c4d', { status: 200, latencyMs: 12.4 }),
    ...exchange('GET', '/health', { error: 'connect ECONNREFUSED', latencyMs: 1 }),
    { name: 'login response', contentType: 'application/json', body: json({ token: 'x' }) },
  ];
  expect(callsFromAttachments(attachments)).toEqual([
    call('POST', '/exports', 429, 3),
    call('GET', '/tasks/tsk_1a2b3c4d', 200, 12.4),
    call('GET', '/health', null, 1),
  ]);
});

test('per operation: calls, statuses, latency percentiles of the answers, and failures', () => {
  const latencies = Array.from({ length: 20 }, (_, i) => i + 1);
  const summary = summarizeApiCalls({
    calls: [
      ...latencies.map((ms) => call('GET', `/tasks/tsk_${ms}a2b3c4d`, ms === 20 ? 503 : 200, ms)),
      call('GET', '/tasks/tsk_9z8y7x6w', null, 10_000),
      call('POST', '/tasks', 202, 40),
    ],
    runDurationMs: 5_000.4,
    now: new Date('2026-11-30T10:00:00Z'),
  });
  expect(summary).toMatchObject({
    generatedAt: '2026-11-30T10:00:00.000Z',
    environment: null,
    runDurationMs: 5_000,
    calls: 22,
  });
  expect(summary.document).toBeNull();
  expect(summary.coverage).toBeNull();
  expect(summary.operations).toEqual([
    {
      operation: 'POST /tasks',
      method: 'POST',
      path: '/tasks',
      calls: 1,
      statuses: { '202': 1 },
      noResponse: 0,
      failures: 0,
      provoked: 0,
      nonconforming: 0,
      p50Ms: 40,
      p95Ms: 40,
      maxMs: 40,
    },
    {
      operation: 'GET /tasks/{id}',
      method: 'GET',
      path: '/tasks/{id}',
      calls: 21,
      statuses: { '200': 19, '503': 1 },
      noResponse: 1,
      failures: 2,
      provoked: 0,
      nonconforming: 0,
      p50Ms: 10,
      p95Ms: 19,
      maxMs: 20,
    },
  ]);
  expect(summary.failures).toBe(2);
});

test('a 5xx or no answer that a test provoked on purpose is counted apart, and a green run speaks of no failure', () => {
  const calls = [
    { ...call('POST', '/login', 500, 5), provoked: true },
    { ...call('POST', '/login', null, 50), provoked: true },
    { ...call('POST', '/login', 200, 7), provoked: true },
    call('POST', '/login', 200, 6),
  ];
  const summary = summarizeApiCalls({ calls, runDurationMs: 1 });
  expect(summary.operations[0]).toMatchObject({ calls: 4, failures: 0, provoked: 2 });
  expect(summary).toMatchObject({ failures: 0, provoked: 2 });
  const text = renderText(summary, 'reports/api/api-summary.md');
  expect(text).toContain('API summary: 4 calls to 1 operation, 2 provoked on purpose (no answer or 5xx).');
  expect(text).not.toMatch(/failure/i);

  const red = summarizeApiCalls({ calls: [call('POST', '/login', 500, 5), ...calls], runDurationMs: 1 });
  expect(renderText(red, 'reports/api/api-summary.md')).toContain(
    '5 calls to 1 operation, 1 failure (no answer or 5xx), 2 provoked on purpose (no answer or 5xx).',
  );
});

test('with a document: documented operations never called, statuses not seen, and the coverage ratio', () => {
  const summary = summarizeApiCalls({
    calls: [
      call('GET', '/v2/users/me', 200, 5),
      call('GET', '/v2/users/me', 401, 4),
      call('GET', '/v2/users/usr_1a2b3c4d', 200, 8),
      call('GET', '/v2/users/usr_1a2b3c4d', 500, 9),
      call('POST', '/v2/orders', 422, 30),
      call('GET', '/v2/orders/7/lines', 418, 6),
      call('GET', '/__controls/stats', 200, 2),
    ],
    runDurationMs: 1_000,
    document,
  });
  const row = (operation: string) => summary.operations.find((candidate) => candidate.operation === operation);
  expect(row('GET /users/me')).toMatchObject({ documented: true, covered: true, statusesNotSeen: [] });
  expect(row('GET /users/{userId}')).toMatchObject({
    calls: 2,
    covered: true,
    documentedStatuses: ['200', '404'],
    statusesNotSeen: ['404'],
    undocumentedStatuses: ['500'],
    failures: 1,
  });
  expect(row('POST /orders')).toMatchObject({ statusesNotSeen: ['201'], undocumentedStatuses: [] });
  // 418 falls under `default`: not undocumented, and `default` itself is never "not seen".
  expect(row('GET /orders/{orderId}/lines')).toMatchObject({ statusesNotSeen: ['200'], undocumentedStatuses: [] });
  expect(row('DELETE /users/{userId}')).toMatchObject({ calls: 0, covered: false, p95Ms: null });
  expect(row('GET /__controls/stats')).toMatchObject({ documented: false, covered: true, calls: 1 });
  expect(summary.notCovered).toEqual(['DELETE /users/{userId}']);
  expect(summary.coverage).toEqual({
    operations: 5,
    covered: 4,
    ratio: 0.8,
    statuses: 8,
    statusesSeen: 4,
    statusRatio: 0.5,
  });
  expect(summary.document).toEqual({ source: 'openapi.json', title: 'Shop', version: '2.0.0', operations: 5 });
});

test('two shards summarised together are one run: percentiles over every call, not averages of shards', () => {
  const shardOne = Array.from({ length: 10 }, (_, i) =>
    exchange('GET', `/users/${i + 1}`, { status: 200, latencyMs: 10 }),
  );
  const shardTwo = Array.from({ length: 10 }, (_, i) =>
    exchange('GET', '/v2/users/me', { status: 200, latencyMs: i + 1 }),
  );
  const calls = [...shardOne, ...shardTwo].flatMap((attachments) => callsFromAttachments(attachments));
  const merged = summarizeApiCalls({ calls, runDurationMs: 1, document });
  expect(merged.calls).toBe(20);
  expect(merged.operations.find((row) => row.operation === 'GET /users/me')).toMatchObject({ calls: 10, p95Ms: 10 });
  expect(merged.operations.find((row) => row.operation === 'GET /users/{userId}')).toMatchObject({
    calls: 10,
    p50Ms: 10,
  });
  expect(merged.coverage).toMatchObject({ covered: 2, operations: 5 });
});

test.describe('the reporter', () => {
  let dir: string;

  test.beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'api-summary-'));
    writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(DOCUMENT));
  });

  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const resultWith = (attachments: ReturnType<typeof exchange>) =>
    ({ attachments, steps: [] }) as unknown as TestResult;
  const resultsDir = () => path.join(dir, 'allure-results');
  const runReporter = async (shard: FullConfig['shard'], results: TestResult[]) => {
    const reporter = new ApiSummaryReporter({
      outputDir: path.join(dir, 'api'),
      allureResultsDir: resultsDir(),
      document: path.join(dir, 'openapi.json'),
    });
    reporter.onBegin({ shard } as FullConfig);
    for (const result of results) reporter.onTestEnd({} as TestCase, result);
    await reporter.onEnd({ status: 'passed', startTime: new Date(0), duration: 1_000 });
    return JSON.parse(readFileSync(path.join(dir, 'api', 'api-summary.json'), 'utf8')) as ApiSummary;
  };

  test('merging two shards gives one summary of both, and only the whole run goes to Allure', async () => {
    const shardOne = [resultWith(exchange('GET', '/users/me', { status: 200, latencyMs: 5 }))];
    const shardTwo = [resultWith(exchange('DELETE', '/users/usr_1a2b3c4d', { status: 204, latencyMs: 9 }))];
    const partial = await runReporter({ current: 1, total: 2 }, shardOne);
    expect(partial.calls).toBe(1);
    // A shard's figures are of a part of the run: no metric, no attachment.
    expect(existsSync(resultsDir())).toBe(false);

    const merged = await runReporter(null, [...shardOne, ...shardTwo]);
    expect(merged.calls).toBe(2);
    expect(merged.notCovered).toEqual(['POST /orders', 'GET /orders/{orderId}/lines', 'GET /users/{userId}']);
    expect(merged.coverage).toMatchObject({ covered: 2, operations: 5, ratio: 0.4 });
    const markdown = readFileSync(path.join(dir, 'api', 'api-summary.md'), 'utf8');
    expect(markdown).toContain('| DELETE /users/{userId} | 1 | 204×1 | 9 ms | 9 ms | 9 ms | 0 | 0 | 0 | covered | – |');
    const files = readdirSync(resultsDir());
    expect(files.filter((file) => file.endsWith('-perf.json'))).toEqual(['api-metrics-perf.json']);
    const metrics = JSON.parse(readFileSync(path.join(resultsDir(), 'api-metrics-perf.json'), 'utf8')) as Array<{
      key: string;
      value: number;
    }>;
    expect(metrics.find((metric) => metric.key === 'DELETE /users/{userId} · latency p95')?.value).toBe(9);
    expect(metrics.find((metric) => metric.key === 'API coverage · operations')?.value).toBe(40);
    expect(files.filter((file) => file.endsWith('-globals.json'))).toHaveLength(1);
  });
});

test('a nonconformity noted on a test marks its call, and the summary counts it per operation under the template', () => {
  const noted = {
    name: 'GET /users/usr_1a2b3c4d nonconforming',
    contentType: 'application/json',
    body: json({
      operation: 'GET /users/{userId}',
      method: 'GET',
      path: '/users/usr_1a2b3c4d',
      status: 200,
      kind: 'body',
      summary: 'GET /users/{userId} answered 200: the body does not match the documented schema',
    }),
  };
  const attachments = [
    ...exchange('GET', '/users/usr_1a2b3c4d', { status: 200, latencyMs: 4 }),
    ...exchange('GET', '/users/usr_1a2b3c4d', { status: 200, latencyMs: 6 }),
    noted,
  ];
  const calls = callsFromAttachments(attachments);
  expect(calls.map((one) => one.nonconforming ?? false)).toEqual([true, false]);
  const summary = summarizeApiCalls({ calls, runDurationMs: 1, document });
  expect(summary.nonconforming).toBe(1);
  expect(summary.operations.find((row) => row.operation === 'GET /users/{userId}')?.nonconforming).toBe(1);
  expect(renderText(summary, 'api-summary.md')).toContain('nonconforming: GET /users/{userId} ×1');
  // The control: without the note, nothing is counted.
  expect(
    summarizeApiCalls({ calls: callsFromAttachments(attachments.slice(0, 4)), runDurationMs: 1 }).nonconforming,
  ).toBe(0);
});

test('the Markdown table shows every operation', () => {
  const summary = summarizeApiCalls({
    calls: [call('GET', '/v2/users/me', 200, 5), call('POST', '/v2/orders', null, 10_000)],
    runDurationMs: 1,
    document,
  });
  const markdown = renderMarkdown(summary);
  expect(markdown).toContain(
    '| operation | calls | statuses | p50 | p95 | max | failures | provoked | nonconforming | coverage | documented statuses not seen |',
  );
  expect(markdown).toContain('| POST /orders | 1 | no answer×1 | – | – | – | 1 | 0 | 0 | never called | 201 4XX |');
  expect(markdown).toContain('## Documented operations never called');
});

test('a call belongs to its documented operation, or else to its method and route template', () => {
  expect(operationOfCall(document.api, 'get', '/v2/users/usr_1a2b3c4d')).toBe('GET /users/{userId}');
  expect(operationOfCall(document.api, 'GET', '/__controls/stats?actor=a')).toBe('GET /__controls/stats');
  expect(operationOfCall(undefined, 'delete', '/orders/42')).toBe('DELETE /orders/{id}');
});

test('the setting of the document, and one line naming it when bad', () => {
  const env = (extra: Record<string, string>) => parseEnv({ BASE_URL: 'https://api.example.com', ...extra });
  expect(openApiDocumentSetting(env({}))).toBeUndefined();
  expect(openApiDocumentSetting(env({ OPENAPI_DOCUMENT: ' api.yaml ' }))).toBe('api.yaml');
  expect(() => openApiDocumentSetting(env({ OPENAPI_DOCUMENT: '  ' }))).toThrow(
    new EnvError('Invalid setting OPENAPI_DOCUMENT: expected a URL or a file, got "  ".'),
  );
});
