import { execFile } from 'node:child_process';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const identity = 'starter-check-api';

/** A server on a free port whose health answer carries this Server header (or none). */
async function serverSaying(server: string | undefined): Promise<Server & { port: number }> {
  const api = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', ...(server ? { server } : {}) });
    response.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  return Object.assign(api, { port: (api.address() as AddressInfo).port });
}

/** The suite's config, outside CI, with BASE_URL unset and the embedded API on that port. */
function runOnPort(port: number, output: string) {
  return runWith(output, {
    // Empty counts as unset, and keeps a BASE_URL of a local .env out.
    BASE_URL: '',
    // Never started: the port is taken. Were it started, it would fail the run another way.
    EMBEDDED_API_COMMAND: 'node -e "process.exit(3)"',
    EMBEDDED_API_PORT: String(port),
    EMBEDDED_API_IDENTITY: identity,
  });
}

/** The suite's config with these settings, its output and exit code. */
async function runWith(output: string, settings: Record<string, string>) {
  // The default HEALTH_PATH and no login audit, whatever a local .env says.
  const env = {
    PATH: process.env['PATH'] ?? '',
    OUTPUT_DIR: output,
    HEALTH_PATH: '/health',
    LOGIN_AUDIT_PATH: '',
    ...settings,
  };
  const cli = [
    require.resolve('@playwright/test/cli'),
    'test',
    '-c',
    'checks/first-run/embedded-run/embedded.config.ts',
  ];
  return run(process.execPath, cli, { cwd: root, env }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}

test('a foreign server on the embedded port stops the run before any test, with short lines naming the port', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const foreign = await serverSaying('nginx/1.27');
  try {
    const { code, output } = await runOnPort(foreign.port, testInfo.outputPath('foreign'));
    expect(code).toBe(1);
    expect(output).toContain(
      [
        `Port ${foreign.port} is taken by another server, not the embedded API:`,
        `/health answered HTTP 200 as "nginx/1.27", not as ${identity} (EMBEDDED_API_IDENTITY).`,
        'Stop that server, or set EMBEDDED_API_PORT to a free port (in .env).',
      ].join('\n'),
    );
    expect(output).not.toContain('the API on the embedded port answers');
    expect(output.split('\n').filter((line) => line.length > 120)).toEqual([]);
  } finally {
    await new Promise((resolve) => foreign.close(resolve));
  }
});

test('a server that says it is the embedded API is reused outside CI', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const own = await serverSaying(`${identity}/1.0.0`);
  try {
    const { code, output } = await runOnPort(own.port, testInfo.outputPath('own'));
    expect(output).toContain('1 passed');
    expect(code).toBe(0);
  } finally {
    await new Promise((resolve) => own.close(resolve));
  }
});

test('an API that does not answer stops the run before any test, with short lines saying what to do', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const { code, output } = await runWith(testInfo.outputPath('unreachable'), { BASE_URL: 'http://127.0.0.1:9' });
  expect(code).toBe(1);
  expect(output).toContain(
    [
      'Error: The API under test is unreachable:',
      'http://127.0.0.1:9/health did not answer: connection refused (nothing listens there).',
      'Start the API, or correct BASE_URL in .env.',
    ].join('\n'),
  );
  expect(output.split('\n').filter((line) => line.length > 120)).toEqual([]);
});
