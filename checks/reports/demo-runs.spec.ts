import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { LINE_WIDTH } from '../../helpers/reports/text-lines';
import { type Outcome, reportData, runSuite, script } from './nested-suite';
import { expect, test } from '@playwright/test';

// A few example specs run against the demo API as a user runs them, three times: as they are, again
// unchanged, and with the demo slowed down (DEMO_LATENCY_SCALE). The quality gate of demo-api/demo.env
// lets image generation's p95 time to ready grow by half at most.
test.describe.configure({ mode: 'serial', timeout: 240_000 });

let dir: string;
let baseline: Outcome;

test.beforeAll(async ({}, testInfo) => {
  // A hook has the config's timeout, not the group's: the first run starts a demo API and its workers.
  testInfo.setTimeout(180_000);
  dir = path.join(testInfo.project.outputDir, 'demo-runs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  baseline = await runSuite(dir);
});

// What the starter prints at the end of a run: each block from its first line to the next blank one.
function starterLines(stdout: string): string[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const line of stdout.split('\n')) {
    if (/^(Role logins|Readiness summary|API summary)/.test(line)) inBlock = true;
    else if (line.trim() === '') inBlock = false;
    if (inBlock) lines.push(line);
  }
  return lines;
}

test("a green run's own lines keep within the width, speak of no failure, and count the provoked 500 apart", () => {
  expect(baseline.status, baseline.stdout + baseline.stderr).toBe(0);
  const lines = starterLines(baseline.stdout);
  expect(lines.some((line) => line.startsWith('Role logins:'))).toBe(true);
  expect(lines.some((line) => line.startsWith('Readiness summary:'))).toBe(true);
  expect(lines.some((line) => line.startsWith('API summary:'))).toBe(true);
  for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(LINE_WIDTH);
  expect(lines.join('\n')).not.toMatch(/failure/i);
  expect(lines.join('\n')).not.toMatch(/\b1 (logins|renewals|worker processes|waits|calls|attempts)\b/);
  expect(lines.join('\n')).toContain('1 provoked on purpose (no answer or 5xx)');
  expect(lines.join('\n')).toMatch(/provoked on purpose: asset provisioning 1 \(1 attempt\)/);
});

test("Playwright's report shows the calls and the waits, and none of Allure's plumbing", () => {
  const html = readFileSync(path.join(dir, 'playwright-report', 'index.html'), 'utf8');
  const zip = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(html)?.[1];
  const report = new AdmZip(Buffer.from(zip!, 'base64'))
    .getEntries()
    .map((entry) => entry.getData().toString('utf8'))
    .join('\n');
  expect(report).toContain('readiness timeline');
  expect(report).toContain('POST /api/v1/auth/login response');
  expect(report).not.toContain('Allure Step Metadata');
  expect(report).not.toContain('Allure Metadata');
});

test('every test has feature and story labels, and operation and role labels for the calls it made', () => {
  const resultsDir = path.join(dir, 'allure-results');
  const results = readdirSync(resultsDir)
    .filter((file) => file.endsWith('-result.json'))
    .map(
      (file) =>
        JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as {
          name: string;
          labels: Array<{ name: string; value: string }>;
        },
    );
  expect(results).toHaveLength(3);
  const values = (result: (typeof results)[number], name: string) =>
    result.labels.filter((label) => label.name === name).map((label) => label.value);
  for (const result of results) {
    expect(values(result, 'feature'), result.name).toHaveLength(1);
    expect(values(result, 'story'), result.name).toEqual([result.name]);
    expect(values(result, 'operation').length, result.name).toBeGreaterThan(0);
    expect(values(result, 'role').length, result.name).toBeGreaterThan(0);
  }
  const polled = results.find((result) => result.name === 'an image generation task is polled to completion')!;
  expect(values(polled, 'feature')).toEqual(['smoke']);
  // The role's login, when this test was the first of its worker to need it, is one of its calls too.
  expect(values(polled, 'operation')).toEqual(
    expect.arrayContaining(['image generation', 'POST /api/v1/images/generations', 'GET /api/v1/tasks/{id}']),
  );
  expect(values(polled, 'operation')[0]).toBe('image generation');
  expect(values(polled, 'role')).toEqual(['user']);
});

test('the gate passes when nothing changed, and fails naming the metric when the demo is slowed', async () => {
  expect((await script(dir, 'build-report.ts')).status).toBe(0);

  const unchanged = await runSuite(dir);
  expect(unchanged.status, unchanged.stdout).toBe(0);
  expect((await script(dir, 'build-report.ts')).status).toBe(0);
  const passed = await script(dir, 'quality-gate.ts');
  expect(passed.status, passed.stdout + passed.stderr).toBe(0);
  expect(passed.stdout).toContain("Quality gate passed on allure-results (allurerc.mjs's rules and");

  const slowed = await runSuite(dir, { DEMO_LATENCY_SCALE: '3' });
  expect(slowed.status, slowed.stdout).toBe(0);
  // The report appends this run to the history first: the gate must still compare with the run before.
  expect((await script(dir, 'build-report.ts')).status).toBe(0);
  const failed = await script(dir, 'quality-gate.ts');
  expect(failed.status).toBe(1);
  expect(failed.stderr).toMatch(
    /image generation · time to ready p95\S* changed by \S*\d+ %\S*, which exceeds \S*50 %/,
  );
  expect(failed.stderr).toContain('GATE_TIME_TO_READY_GROWTH_PERCENT/metricMaxDeltaPercent');
  expect(failed.stderr).toContain('Quality gate failed on allure-results');
});

test("the report's metrics list every operation with its value, and the previous run's beside it", () => {
  const report = path.join(dir, 'allure-report', 'by-feature', 'index.html');
  expect(existsSync(report)).toBe(true);
  const metrics = reportData<{
    current: Array<{ key: string; value: number }>;
    history: Array<{ metrics: Record<string, number> }>;
  }>(report, 'widgets/metrics.json');
  const readiness = JSON.parse(
    readFileSync(path.join(dir, 'reports', 'readiness', 'readiness-summary.json'), 'utf8'),
  ) as {
    operations: Array<{ operation: string; observedTimeToReadyMs: { p95: number | null } }>;
  };
  const api = JSON.parse(readFileSync(path.join(dir, 'reports', 'api', 'api-summary.json'), 'utf8')) as {
    operations: Array<{ operation: string; calls: number; p95Ms: number | null }>;
  };
  const current = new Map(metrics.current.map((metric) => [metric.key, metric.value]));
  for (const op of readiness.operations.filter((row) => row.observedTimeToReadyMs.p95 !== null)) {
    expect(current.get(`${op.operation} · time to ready p95`)).toBe(op.observedTimeToReadyMs.p95);
  }
  for (const op of api.operations.filter((row) => row.calls > 0)) {
    expect(current.get(`${op.operation} · calls`), op.operation).toBe(op.calls);
    expect(current.get(`${op.operation} · latency p95`), op.operation).toBe(op.p95Ms ?? undefined);
  }
  // The two runs before, from Allure's own history: what the Metrics section compares with.
  const previous = metrics.history.map((point) => point.metrics['image generation · time to ready p95']);
  expect(previous.filter((value) => value !== undefined)).toHaveLength(2);
  expect(current.get('image generation · time to ready p95')).toBeGreaterThan(
    1.5 * Math.max(...(previous as number[])),
  );
});
