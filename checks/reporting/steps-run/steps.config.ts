import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Run by checks/reporting/step-names.spec.ts: steps named through the starter's fixture and through
// Allure's own runtime, reported by the project's Allure reporter and Playwright's HTML report into
// OUTPUT_DIR.
const output = process.env['OUTPUT_DIR'] ?? 'steps-run';

export default defineConfig({
  testDir: __dirname,
  testMatch: 'names.check.ts',
  workers: 1,
  outputDir: path.join(output, 'test-results'),
  reporter: [
    [
      path.join(__dirname, '..', '..', '..', 'reporters', 'allure.ts'),
      { resultsDir: path.join(output, 'allure-results'), detail: false },
    ],
    ['html', { open: 'never', outputFolder: path.join(output, 'playwright-report') }],
  ],
});
