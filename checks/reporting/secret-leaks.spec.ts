import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
// Not JWT- or Bearer-shaped on purpose: only the redactor's knowledge of the run's secrets can catch it.
const apiKey = ['leak', 'check', 'key', '9pXv27'].join('-');

// Failing assertions on answers that echo the token (an HTML error page with `data-api-token="…"`
// and `?token=…`, `Authorization: token …` in text, JSON strings) must leave it in no report. The API
// is a small echo server of this check's own: the check needs no demo and stays after adoption.
test('failing assertions on responses that echo the API key leave it in no report', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const api = createServer(echoCredentials);
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
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
    await new Promise((resolve) => api.close(resolve));
  }
});

/** An API whose error pages quote the credential they were sent, as careless ones do. */
function echoCredentials(request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://echo.test');
  const credential = request.headers.authorization ?? '';
  const token = credential.split(' ').at(-1) ?? '';
  const status = Number(url.searchParams.get('status') ?? 502);
  if (url.searchParams.get('format') === 'json') {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        error: 'upstream_failed',
        error_description: `rejected ${token}`,
        request: { authorization: credential },
      }),
    );
    return;
  }
  response.writeHead(status, { 'content-type': 'text/html' });
  response.end(
    `<!doctype html><html><head><title>${status} Bad Gateway</title></head><body><pre>Authorization: ${credential}</pre>` +
      `<div data-api-token="${token}"><a href="/login?token=${token}">Try again</a></div></body></html>`,
  );
}
