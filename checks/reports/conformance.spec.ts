import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, freePort, inDir } from './nested-suite';

// Conformance on every call: a spec that checks statuses only (conformance-run/drift.check.ts), run by
// the suite's config against a demo API of its own whose answers break its published OpenAPI document
// (the schema-drift fault), with OPENAPI_DOCUMENT at the demo's /openapi.json.
test.describe.configure({ timeout: 180_000 });

type Results = {
  suites: Array<{
    specs: Array<{
      title: string;
      tests: Array<{
        annotations: Array<{ type: string; description?: string }>;
        results: Array<{
          status: string;
          errors: Array<{ message?: string; location?: { file: string; line: number } }>;
        }>;
      }>;
    }>;
  }>;
};
type Summary = { nonconforming: number; operations: Array<{ operation: string; nonconforming: number }> };

async function runDrift(dir: string, env: Record<string, string>) {
  rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  const outcome = await inDir(
    ROOT,
    [require.resolve('@playwright/test/cli'), 'test', '-c', 'checks/reports/conformance-run/conformance.config.ts'],
    {
      EMBEDDED_API_PORT: String(port),
      OPENAPI_DOCUMENT: `http://127.0.0.1:${port}/openapi.json`,
      OUTPUT_DIR: dir,
      ...env,
    },
  );
  const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
  const tests = new Map(results.suites.flatMap((suite) => suite.specs).map((spec) => [spec.title, spec.tests[0]!]));
  const summary = JSON.parse(readFileSync(path.join(dir, 'api', 'api-summary.json'), 'utf8')) as Summary;
  const nonconforming = (operation: string) =>
    summary.operations.find((row) => row.operation === operation)?.nonconforming;
  return { outcome, tests, summary, nonconforming };
}

const READ_BACK = 'a task is read back';
const ACCEPTED = 'an image generation is accepted';

test('with fail, a drifted answer fails the test at its call, naming the operation and the field', async ({}, testInfo) => {
  const run = await runDrift(testInfo.outputPath('fail'), { DEMO_FAULTS: 'schema-drift', OPENAPI_CONFORMANCE: 'fail' });
  expect(run.outcome.status, run.outcome.stdout + run.outcome.stderr).toBe(1);
  const error = run.tests.get(READ_BACK)!.results[0]!.errors[0]!;
  expect(error.message).toContain('GET /api/v1/tasks/{id} answered 200');
  expect(error.message).toMatch(
    /✖ Invalid option: expected one of "queued"\|"processing"\|"completed"\|"failed"\s+→ at status/,
  );
  expect(error.message).toContain('"state": "processing"');
  expect(error.location?.file).toBe(path.join(ROOT, 'checks', 'reports', 'conformance-run', 'drift.check.ts'));
  expect(error.location?.line).toBe(13);
  // The submission opted out in one test, not in the other.
  expect(run.tests.get(ACCEPTED)!.results[0]!.errors[0]!.message).toContain(
    'POST /api/v1/images/generations answered 202',
  );
});

test('with report, the tests pass with an annotation, and the API summary counts each nonconforming answer', async ({}, testInfo) => {
  const run = await runDrift(testInfo.outputPath('report'), {
    DEMO_FAULTS: 'schema-drift',
    OPENAPI_CONFORMANCE: 'report',
  });
  expect(run.outcome.status, run.outcome.stdout + run.outcome.stderr).toBe(0);
  expect(run.tests.get(READ_BACK)!.annotations).toEqual([
    {
      type: 'nonconforming response',
      description: expect.stringMatching(
        /^GET \/api\/v1\/tasks\/\{id\} answered 200: the body does not match .* at status\)$/,
      ),
    },
  ]);
  expect(run.summary.nonconforming).toBe(2);
  expect(run.nonconforming('GET /api/v1/tasks/{id}')).toBe(1);
  expect(run.nonconforming('POST /api/v1/images/generations')).toBe(1);
  expect(run.outcome.stdout).toContain('2 nonconforming answers');
});

test('the control: answers that keep to the document pass with fail, and none is counted', async ({}, testInfo) => {
  const run = await runDrift(testInfo.outputPath('control'), { OPENAPI_CONFORMANCE: 'fail' });
  expect(run.outcome.status, run.outcome.stdout + run.outcome.stderr).toBe(0);
  expect(run.tests.get(READ_BACK)!.annotations).toEqual([]);
  expect(run.summary.nonconforming).toBe(0);
});
