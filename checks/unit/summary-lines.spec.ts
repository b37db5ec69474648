import type { ApiCall } from '../../helpers/api-summary/calls';
import { renderText } from '../../helpers/api-summary/render';
import { summarizeApiCalls } from '../../helpers/api-summary/summarize';
import { LINE_WIDTH, count, table, wrapItems, wrapWords } from '../../helpers/reports/text-lines';
import { expect, test } from '../../fixtures';

// What the starter prints at the end of a run: no line over LINE_WIDTH, counts that agree with their noun.

test('a count agrees with its noun', () => {
  expect(count(1, 'login')).toBe('1 login');
  expect(count(0, 'login')).toBe('0 logins');
  expect(count(2, 'worker process', 'worker processes')).toBe('2 worker processes');
  expect(count(1, 'SLA breach', 'SLA breaches')).toBe('1 SLA breach');
});

test('a list goes on to the next line, indented, before it passes the width', () => {
  const items = Array.from({ length: 9 }, (_, i) => `GET /api/v1/resources/${i}/sub-resources/{id} 120 ms`);
  const lines = wrapItems('  slowest p95: ', items);
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(LINE_WIDTH);
  expect(lines.slice(0, -1).every((line) => line.endsWith(' ·'))).toBe(true);
  expect(lines.slice(1).every((line) => line.startsWith('    GET'))).toBe(true);
  expect(lines.join('').replace(/ · +/g, ' · ')).toContain(items.join(' · '));
  // An item longer than a whole line is cut, never left to overflow.
  const [long] = wrapItems('  never called: ', ['x'.repeat(300)]);
  expect(long).toHaveLength(LINE_WIDTH - 2);
  expect(long!.endsWith('…')).toBe(true);
});

test('prose wraps at words; a table cuts its cells to their columns', () => {
  const lines = wrapWords('word '.repeat(60), '', '  ');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(LINE_WIDTH);
  expect(lines[1]!.startsWith('  word')).toBe(true);
  expect(
    table(
      [
        ['operation', 'p95'],
        ['a very long operation name', '1.2 s'],
      ],
      [10, 6],
    ),
  ).toEqual(['operation   p95', 'a very lo…  1.2 s']);
});

test('the printed API summary stays within the width however long the operations are', () => {
  const path = (i: number) => `/api/v1/organisations/{id}/projects/{id}/environments/{id}/deployments-${i}`;
  const calls: ApiCall[] = Array.from({ length: 30 }, (_, i) => ({
    method: 'POST',
    path: path(i),
    status: i % 3 === 0 ? 503 : 200,
    latencyMs: 100 + i,
  }));
  const document = {
    source: 'openapi.json',
    api: {
      title: 'Deployments',
      version: '1',
      basePaths: [],
      operations: Array.from({ length: 40 }, (_, i) => ({ method: 'POST', template: path(i), statuses: ['200'] })),
    },
  };
  const text = renderText(summarizeApiCalls({ calls, runDurationMs: 1, document }), 'reports/api/api-summary.md');
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(LINE_WIDTH);
  expect(text).toContain('API summary: 30 calls to 30 operations, 10 failures (no answer or 5xx).');
  expect(text).toContain('  failures: POST /api/v1/organisations');
  expect(text).toContain('  never called: POST /api/v1/organisations');
});
