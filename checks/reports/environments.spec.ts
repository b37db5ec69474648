import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, reportData, runSuite, script } from './nested-suite';
import { expect, test } from '@playwright/test';

// Two environments: the same specs against two demo APIs with different settings, each run with
// API_ENV=<name> and its .env.<name>, merged into one Allure report. The names are this check's own,
// so that its files beside .env cannot be anyone else's; they are removed afterwards.
test.describe.configure({ timeout: 240_000 });

test('runs of two environments merge into one report with metrics per environment, and the gate knows them', async ({}, testInfo) => {
  const suffix = randomBytes(3).toString('hex');
  const fast = `fast-${suffix}`;
  const slow = `slow-${suffix}`;
  const settings = { [fast]: 'DEMO_LATENCY_SCALE=0.5\n', [slow]: 'DEMO_LATENCY_SCALE=2\n' };
  const dir = testInfo.outputPath('environments');
  try {
    for (const [name, text] of Object.entries(settings)) writeFileSync(path.join(ROOT, `.env.${name}`), text);
    for (const name of [fast, slow]) {
      mkdirSync(path.join(dir, name), { recursive: true });
      const run = await runSuite(path.join(dir, name), { API_ENV: name });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain(`Readiness summary (${name}):`);
      expect(run.stdout).toContain(`API summary (${name}):`);
    }
  } finally {
    for (const name of [fast, slow]) rmSync(path.join(ROOT, `.env.${name}`), { force: true });
  }

  const results = [fast, slow].map((name) => path.join(dir, name, 'allure-results'));
  const built = await script(dir, 'build-report.ts', results);
  expect(built.status, built.stdout + built.stderr).toBe(0);
  expect(built.stdout).toContain(`Allure report of the environments ${fast}, ${slow} in allure-report/`);

  const report = path.join(dir, 'allure-report', 'by-feature', 'index.html');
  // Allure lists its `default` environment too, with no test in it.
  const environments = reportData<Array<{ id: string; name: string }>>(report, 'widgets/environments.json');
  expect(environments.map((environment) => environment.name)).toEqual(expect.arrayContaining([fast, slow]));
  const tests = (id: string) => reportData<{ total: number }>(report, `widgets/${id}/statistic.json`).total;
  expect([tests(fast), tests(slow), tests('default')]).toEqual([3, 3, 0]);
  // Each environment keeps its own block: its settings, not the other's.
  const variables = (id: string) => reportData<Record<string, string>>(report, `widgets/${id}/variables.json`);
  expect(variables(fast)).toMatchObject({ Environment: fast, DEMO_LATENCY_SCALE: '0.5' });
  expect(variables(slow)).toMatchObject({ Environment: slow, DEMO_LATENCY_SCALE: '2' });
  const metrics = reportData<{ current: Array<{ key: string; value: number }> }>(report, 'widgets/metrics.json');
  const p95 = (name: string) =>
    metrics.current.filter((metric) => metric.key === `${name} · image generation · time to ready p95`);
  expect(p95(fast)).toHaveLength(1);
  expect(p95(slow)).toHaveLength(1);
  // Each environment's figure is its own run's, not an average of both: the one its summary printed.
  for (const name of [fast, slow]) {
    const summary = JSON.parse(
      readFileSync(path.join(dir, name, 'reports', 'readiness', 'readiness-summary.json'), 'utf8'),
    ) as { operations: Array<{ operation: string; observedTimeToReadyMs: { p95: number | null } }> };
    const own = summary.operations.find((operation) => operation.operation === 'image generation');
    expect(p95(name)[0]!.value).toBe(own?.observedTimeToReadyMs.p95);
  }

  const tested = await script(dir, 'quality-gate.ts', results, { GATE_ENVIRONMENTS: `${fast},${slow}` });
  expect(tested.status, tested.stdout + tested.stderr).toBe(0);
  const missing = await script(dir, 'quality-gate.ts', results, { GATE_ENVIRONMENTS: `${fast},${slow},qa` });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/The following environments were not tested: \S*"qa"/);
});
