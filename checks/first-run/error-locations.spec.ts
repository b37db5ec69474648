import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const spec = path.join(__dirname, 'failing-run', 'failures.check.ts');

type Report = {
  suites: Array<{
    specs: Array<{ title: string; tests: Array<{ results: Array<{ errors: Array<{ location?: unknown }> }> }> }>;
  }>;
};

// A failing contract or status check is shown with a code excerpt of the line it points at: that must
// be the spec's line, not one inside the core's helpers.
test('a failed parse, status or schema check points at the line of the spec that made it', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const api = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const output = testInfo.outputPath('failing-run');
  try {
    const env = {
      PATH: process.env['PATH'] ?? '',
      OUTPUT_DIR: output,
      BASE_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      AUTH: 'none',
    };
    const cli = [
      require.resolve('@playwright/test/cli'),
      'test',
      '-c',
      'checks/first-run/failing-run/failing.config.ts',
    ];
    await run(process.execPath, cli, { cwd: root, env }).catch((error: unknown) => error);

    const report = JSON.parse(readFileSync(path.join(output, 'results.json'), 'utf8')) as Report;
    const pointedAt = report.suites
      .flatMap((suite) => suite.specs)
      .map((failed) => [failed.title, failed.tests[0]?.results[0]?.errors[0]?.location]);
    const lines = readFileSync(spec, 'utf8').split('\n');
    const marked = lines.flatMap((line, index) => (line.endsWith('// here') ? [index + 1] : []));
    const at = (line: number) => ({ file: spec, line, column: expect.any(Number) as unknown });
    expect(pointedAt).toEqual([
      ['a response read with parse breaks its contract', at(marked[0]!)],
      ['a response read with parse in a function of the spec breaks its contract', at(marked[3]!)],
      ['a response has another status', at(marked[1]!)],
      ['a body breaks its schema', at(marked[2]!)],
    ]);
  } finally {
    await new Promise((resolve) => api.close(resolve));
  }
});
