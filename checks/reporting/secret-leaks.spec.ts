import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { buildApp } from '../../demo-api/app';
import { parseDemoConfig } from '../../demo-api/config';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
// Not JWT- or Bearer-shaped on purpose: only the redactor's knowledge of the run's secrets can catch it.
const apiKey = ['leak', 'check', 'key', '9pXv27'].join('-');

// Failing assertions on answers that echo the token (an HTML error page with `data-api-token="…"`
// and `?token=…`, `Authorization: token …` in text, JSON strings) must leave it in no report.
test('failing assertions on responses that echo the API key leave it in no report', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const api = buildApp(parseDemoConfig({ DEMO_API_KEYS: `user=${apiKey}` }));
  const baseUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  const output = testInfo.outputPath('leak-run');
  try {
    const env = {
      PATH: process.env['PATH'] ?? '',
      OUTPUT_DIR: output,
      BASE_URL: baseUrl,
      AUTH: 'token',
      USER_TOKEN: apiKey,
      AUTH_HEADER: 'Authorization',
      AUTH_SCHEME: 'token',
    };
    const nested = await run(
      process.execPath,
      [require.resolve('@playwright/test/cli'), 'test', '-c', 'checks/reporting/leak-run/leaks.config.ts'],
      { cwd: root, env },
    ).catch((error: { stdout: string }) => error);
    expect(nested.stdout).toContain('4 failed');

    // The project's own scan, which also opens the archives inside the HTML and blob reports.
    const reports = ['test-results', 'playwright-report', 'blob-report', 'allure-results'].map((dir) =>
      path.join(output, dir),
    );
    expect(reports.every((dir) => existsSync(dir))).toBe(true);
    const scan = await run(process.execPath, ['--import', 'tsx', 'scripts/scan-secrets.ts', ...reports], {
      cwd: root,
      env,
    }).catch((error: { stdout: string; stderr: string }) => error);
    expect(scan.stderr).toBe('');
    expect(scan.stdout).toMatch(/^Secret scan: no secrets in \d+ files/);
    // The failures themselves still say what the API answered.
    expect(nested.stdout).toContain('answered 502');
  } finally {
    await api.close();
  }
});
