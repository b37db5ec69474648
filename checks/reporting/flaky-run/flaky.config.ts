import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Run by checks/reporting/flaky-retry.spec.ts: one test that fails once and passes on its retry, reported by the
// project's Allure reporter into ALLURE_RESULTS_DIR.
export default defineConfig({
  testDir: __dirname,
  testMatch: 'fails-once.check.ts',
  retries: 1,
  workers: 1,
  outputDir: path.join(process.env.ALLURE_RESULTS_DIR ?? 'allure-results', '..', 'test-results'),
  reporter: [
    [
      path.join(__dirname, '..', '..', '..', 'reporters', 'allure.ts'),
      { resultsDir: process.env.ALLURE_RESULTS_DIR, detail: false },
    ],
  ],
});
