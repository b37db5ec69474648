import path from 'node:path';
import { defineConfig } from '@playwright/test';

// For `npx playwright merge-reports --config merge.config.ts <blob reports>`: one Playwright HTML
// report, and the readiness and API summaries computed over every shard of the run, added to the
// Allure results that the shards' allure-results were gathered into.
export default defineConfig({
  testDir: __dirname,
  reporter: [
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
  ],
});
