import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '../../fixtures';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

// The Allure report must show a test that passed only on a retry as flaky. This runs a test that
// fails once on purpose in a separate Playwright run, builds an Allure report of it, and reads the
// report's own data.
test('a test that passes only on a retry is flaky in the Allure report, and the gate warns but passes', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const resultsDir = testInfo.outputPath('allure-results');
  const reportDir = testInfo.outputPath('allure-report');
  const config = testInfo.outputPath('allurerc.json');
  writeFileSync(config, JSON.stringify({ name: 'flaky self-check', output: reportDir }));

  // A clean environment: the nested run must not take itself for a worker of this one.
  const env = { ALLURE_RESULTS_DIR: resultsDir, PATH: '' };
  const playwright = await run(
    process.execPath,
    [require.resolve('@playwright/test/cli'), 'test', '-c', 'checks/reporting/flaky-run/flaky.config.ts'],
    { cwd: root, env },
  );
  expect(playwright.stdout).toContain('1 flaky');
  await run(
    process.execPath,
    [path.join(root, 'node_modules', 'allure', 'cli.js'), 'generate', resultsDir, '--config', config],
    {
      cwd: testInfo.outputDir,
      env,
    },
  );

  const summary = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8')) as {
    stats: { total?: number; retries?: number; flaky?: number; passed?: number };
    flakyTests: string[];
  };
  expect(summary.stats).toMatchObject({ total: 1, passed: 1, retries: 1, flaky: 1 });
  expect(summary.flakyTests).toHaveLength(1);

  // The CI gate does not fail on it, and names it.
  const gate = await run(
    process.execPath,
    [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/quality-gate.ts', resultsDir],
    { cwd: root, env: { ...env, PATH: process.env['PATH'] ?? '' } },
  );
  expect(gate.stderr).toContain('Warning: 1 flaky test, passed only on a retry:');
  expect(gate.stderr).toContain('fails on its first attempt and passes on the retry');
  expect(gate.stdout).toContain(
    `Quality gate passed on ${resultsDir} (allurerc.mjs's rules), with the flaky tests above.`,
  );
});
