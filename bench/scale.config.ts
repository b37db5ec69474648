import path from 'node:path';
import { type ReporterDescription, defineConfig } from '@playwright/test';
import base from '../playwright.config';
import { redacting } from '../reporters/redacting-reporter';

// The config of `npm run bench:scale` (bench/scale.ts): the suite's config, run on the generated tests
// of SCALE_WORK_DIR, with every output in that folder. SCALE_REPORTING says with which reporters:
// `starter`, the suite's own (behind the redaction), or `plain`, Playwright's list and HTML only.
const work = process.env['SCALE_WORK_DIR'] ?? path.join(__dirname, '.scale');
const out = path.join(work, process.env['SCALE_RUN'] ?? 'run');

function inner(reporter: typeof base.reporter): ReporterDescription[] {
  const [wrapper] = (reporter ?? []) as ReporterDescription[];
  return ((wrapper?.[1] as { reporters?: ReporterDescription[] } | undefined)?.reporters ?? []).map(
    ([name, options]) => [name, { ...(options as object), ...outputsOf(name) }] as ReporterDescription,
  );
}

// Each reporter's output in this run's folder, by the reporter's own options.
function outputsOf(name: string): object {
  if (name === 'html') return { outputFolder: path.join(out, 'playwright-report') };
  if (name === 'blob') return { outputDir: path.join(out, 'blob-report') };
  const allureResultsDir = path.join(out, 'allure-results');
  if (name.endsWith('allure.ts')) return { resultsDir: allureResultsDir };
  if (name.endsWith('readiness-summary-reporter.ts'))
    return { outputDir: path.join(out, 'reports', 'readiness'), allureResultsDir };
  if (name.endsWith('api-summary-reporter.ts'))
    return { outputDir: path.join(out, 'reports', 'api'), allureResultsDir };
  return {};
}

export default defineConfig({
  ...base,
  testDir: path.join(work, 'tests'),
  testMatch: '**/*.spec.ts',
  outputDir: path.join(out, 'test-results'),
  globalTeardown: undefined,
  reporter:
    process.env['SCALE_REPORTING'] === 'plain'
      ? [['list'], ['html', { open: 'never', outputFolder: path.join(out, 'playwright-report') }]]
      : redacting(inner(base.reporter)),
});
