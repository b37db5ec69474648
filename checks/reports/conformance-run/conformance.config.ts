import path from 'node:path';
import { defineConfig } from '@playwright/test';
import suite from '../../../playwright.config';
import { redacting } from '../../../reporters/redacting-reporter';

// Run by checks/reports/conformance.spec.ts: the suite's own config (its embedded demo API, settings and
// fixtures) on the spec beside it, reported as JSON and as the API summary into OUTPUT_DIR.
const output = process.env['OUTPUT_DIR'] ?? 'conformance-run';

export default defineConfig({
  ...suite,
  testDir: __dirname,
  testMatch: '*.check.ts',
  workers: 1,
  outputDir: path.join(output, 'test-results'),
  reporter: redacting([
    ['json', { outputFile: path.join(output, 'results.json') }],
    [path.join(__dirname, '../../../reporters/api-summary-reporter.ts'), { outputDir: path.join(output, 'api') }],
  ]),
});
