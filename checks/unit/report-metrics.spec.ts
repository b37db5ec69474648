import { resolveMetricSamples } from '@allurereport/core-api';
import { summarize } from '../../helpers/readiness/summary';
import type { PollWaitRecord } from '../../helpers/readiness/wait';
import { summarizeApiCalls } from '../../helpers/api-summary/summarize';
import { apiMetrics, metricKey, readinessMetrics } from '../../helpers/reports/metrics';
import { expect, test } from '../../fixtures';

const window = { start: 1_000, stop: 61_000 };
let ids = 0;
const id = () => `m${(ids += 1)}`;

const ready = (operation: string, ms: number, attempts: number, extra: object = {}) =>
  ({
    operation,
    subject: 'x',
    slaMs: 10_000,
    startedAt: '2026-12-01T10:00:00.000Z',
    outcome: 'ready',
    provoked: false,
    attempts,
    elapsedMs: ms,
    observedTimeToReadyMs: ms,
    estimatedTimeToReadyMs: ms - 50,
    timeToReadyMs: ms,
    bracket: { lastNotReadyMs: undefined, firstReadyMs: ms },
    lastObservation: undefined,
    finalProbe: undefined,
    minProbeBudgetMs: 100,
    phases: [],
    timeline: [],
    ...extra,
  }) as PollWaitRecord;

test('each operation waited for has one sample per figure, over the whole run, with its unit', () => {
  const summary = summarize(
    [
      ready('image generation', 1_000, 2),
      ready('image generation', 3_000, 4),
      ready('image generation (webhook)', 1_500, 1, { receivedAfterCompletionMs: 80 }),
    ],
    60_000,
  );
  const metrics = readinessMetrics(summary, window, id);
  const of = (key: string) => metrics.filter((metric) => metric.key === key);
  // One sample per key: Allure averages every sample of a key.
  expect(new Set(metrics.map((metric) => metric.key)).size).toBe(metrics.length);
  expect(of('image generation · time to ready p95')).toEqual([
    expect.objectContaining({ value: 3_000, unit: 'ms', better: 'lower', group: 'image generation', ...window }),
  ]);
  expect(of('image generation · attempts to ready, mean')[0]).toMatchObject({ value: 3 });
  expect(of('image generation · attempts to ready, mean')[0]).not.toHaveProperty('unit');
  expect(of('image generation · p95 share of SLA')[0]).toMatchObject({ value: 30, unit: '%' });
  expect(of('image generation · push delay p95')).toEqual([]);
  expect(of('image generation (webhook) · push delay p95')[0]).toMatchObject({ value: 80, unit: 'ms' });
});

test('each operation called has its calls, latency and failures, and the run its coverage', () => {
  const summary = summarizeApiCalls({
    calls: [
      { method: 'GET', path: '/tasks/1', status: 200, latencyMs: 12 },
      { method: 'GET', path: '/tasks/2', status: 503, latencyMs: 30 },
      { method: 'POST', path: '/login', status: 500, latencyMs: 4, provoked: true },
    ],
    runDurationMs: 1,
    document: {
      source: 'openapi.json',
      api: {
        title: undefined,
        version: undefined,
        basePaths: [],
        operations: [
          { method: 'GET', template: '/tasks/{taskId}', statuses: ['200'] },
          { method: 'POST', template: '/login', statuses: ['200'] },
          { method: 'DELETE', template: '/tasks/{taskId}', statuses: ['204'] },
        ],
      },
    },
  });
  const metrics = apiMetrics(summary, window, id);
  const value = (key: string) => metrics.find((metric) => metric.key === key)?.value;
  expect(value('GET /tasks/{taskId} · calls')).toBe(2);
  expect(value('GET /tasks/{taskId} · latency p95')).toBe(30);
  expect(value('GET /tasks/{taskId} · failures')).toBe(1);
  // The 500 the test asked for is no failure.
  expect(value('POST /login · failures')).toBe(0);
  expect(value('API coverage · operations')).toBe(66.7);
  expect(metrics.find((metric) => metric.key === 'API coverage · operations')).toMatchObject({ better: 'higher' });
  // An operation never called has no sample: no figure to compare.
  expect(metrics.some((metric) => metric.key.startsWith('DELETE'))).toBe(false);
});

test('a run of a named environment puts the name first in every key and group', () => {
  const summary = summarize([ready('image generation', 1_000, 2)], 1, { environment: 'staging' });
  const metrics = readinessMetrics(summary, window, id);
  expect(metrics.every((metric) => metric.key.startsWith('staging · image generation · '))).toBe(true);
  expect(metrics.every((metric) => metric.group === 'staging · image generation')).toBe(true);
  expect(metricKey('GET /x', 'calls', 'dev')).toBe('dev · GET /x · calls');
  expect(metricKey('GET /x', 'calls')).toBe('GET /x · calls');
});

test('Allure reads the samples as they are: keys, values, units and directions kept', () => {
  const metrics = readinessMetrics(summarize([ready('image generation', 1_000, 2)], 1), window, id);
  const resolved = resolveMetricSamples(metrics);
  expect(resolved).toHaveLength(metrics.length);
  expect(resolved.find((sample) => sample.key === 'image generation · time to ready p95')).toMatchObject({
    value: 1_000,
    unit: 'ms',
    better: 'lower',
    group: 'image generation',
  });
});
