import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

type AllureStep = { name: string; parameters: Array<{ name: string; value: string }>; steps: AllureStep[] };
type HtmlTest = { title: string };

// The name a step earns and its parameters reach the Allure report, and nothing of that plumbing
// reaches Playwright's HTML report. The control: the same step named through Allure's own runtime
// API, which sends them as attachments, does show there.
test("a step's Allure name and parameters leave no trace in Playwright's report, unlike Allure's runtime API", async ({}, testInfo) => {
  test.setTimeout(120_000);
  const output = testInfo.outputPath('steps-run');
  await run(
    process.execPath,
    [require.resolve('@playwright/test/cli'), 'test', '-c', 'checks/reporting/steps-run/steps.config.ts'],
    { cwd: root, env: { PATH: process.env['PATH'] ?? '', OUTPUT_DIR: output } },
  );

  const resultsDir = path.join(output, 'allure-results');
  const results = readdirSync(resultsDir)
    .filter((file) => file.endsWith('-result.json'))
    .map(
      (file) => JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as { name: string; steps: AllureStep[] },
    );
  for (const result of results) {
    expect(
      result.steps.map((step) => step.name),
      result.name,
    ).toEqual(['Wait for export: ready']);
    expect(result.steps[0]!.parameters, result.name).toEqual([{ name: 'operation', value: 'export' }]);
  }

  const html = readFileSync(path.join(output, 'playwright-report', 'index.html'), 'utf8');
  const zip = new AdmZip(Buffer.from(/data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(html)![1]!, 'base64'));
  const tests = zip
    .getEntries()
    .filter((entry) => entry.entryName !== 'report.json')
    .flatMap((entry) => (JSON.parse(entry.getData().toString('utf8')) as { tests: HtmlTest[] }).tests);
  const shown = (title: string) => JSON.stringify(tests.find((candidate) => candidate.title === title));
  expect(shown('a wait reported through the starter')).toContain('readiness timeline');
  expect(shown('a wait reported through the starter')).not.toContain('Allure Step Metadata');
  expect(shown("a wait reported through Allure's runtime")).toContain('Allure Step Metadata');
});
