import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Run by checks/reporting/secret-leaks.spec.ts against the echo server it started: assertions that fail on
// answers echoing the run's API key, reported by every reporter the suite uses, into OUTPUT_DIR.
const output = process.env['OUTPUT_DIR'] ?? 'leak-run';
const root = path.join(__dirname, '..', '..', '..');

export default defineConfig({
  testDir: __dirname,
  testMatch: 'echoes.check.ts',
  workers: 1,
  outputDir: path.join(output, 'test-results'),
  use: { baseURL: process.env['BASE_URL'] },
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: path.join(output, 'playwright-report') }],
    ['blob', { outputDir: path.join(output, 'blob-report') }],
    [path.join(root, 'reporters/allure.ts'), { resultsDir: path.join(output, 'allure-results'), detail: false }],
  ],
});
