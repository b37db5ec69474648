import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { redacting } from './reporters/redacting-reporter';

// For `npx playwright merge-reports --config merge.config.ts <blob reports>`: one Playwright HTML
// report, and the readiness and API summaries computed over every shard of the run, added to the
// Allure results that the shards' allure-results were gathered into. Redacted again, with the secret
// settings of this job: the shards redacted theirs already.
export default defineConfig({
  testDir: __dirname,
  reporter: redacting([
    ['list'],
    ['html', { open: 'never' }],
    [
      path.join(__dirname, 'reporters/readiness-summary-reporter.ts'),
      { outputDir: 'reports/readiness', allureResultsDir: 'allure-results' },
    ],
    [
      path.join(__dirname, 'reporters/api-summary-reporter.ts'),
      { outputDir: 'reports/api', allureResultsDir: 'allure-results' },
    ],
  ]),
});
