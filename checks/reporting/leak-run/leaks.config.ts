import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { redacting } from '../../../reporters/redacting-reporter';

// Run by checks/reporting/secret-leaks.spec.ts against the echo API it started: specs that fail on
// answers repeating the run's credentials, reported into OUTPUT_DIR by the suite's own reporters
// (playwright.config.ts), its CI's blob report and a JSON report.
const output = process.env['OUTPUT_DIR'] ?? 'leak-run';
const root = path.join(__dirname, '..', '..', '..');

export default defineConfig({
  testDir: __dirname,
  testMatch: 'echoes.check.ts',
  fullyParallel: true,
  workers: 2,
  outputDir: path.join(output, 'test-results'),
  use: { baseURL: process.env['BASE_URL'] },
  reporter: redacting([
    ['list'],
    ['html', { open: 'never', outputFolder: path.join(output, 'playwright-report') }],
    [path.join(root, 'reporters/allure.ts'), { resultsDir: path.join(output, 'allure-results'), detail: false }],
    [
      path.join(root, 'reporters/readiness-summary-reporter.ts'),
      { outputDir: path.join(output, 'reports/readiness'), allureResultsDir: path.join(output, 'allure-results') },
    ],
    [
      path.join(root, 'reporters/api-summary-reporter.ts'),
      {
        outputDir: path.join(output, 'reports/api'),
        allureResultsDir: path.join(output, 'allure-results'),
        historyFile: path.join(output, '.history/api-summary.jsonl'),
      },
    ],
    ['blob', { outputDir: path.join(output, 'blob-report') }],
    ['json', { outputFile: path.join(output, 'results.json') }],
  ]),
});
