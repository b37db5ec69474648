import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Run by checks/first-run/error-locations.spec.ts against the server it started (BASE_URL): checks
// that fail on purpose, reported as JSON into OUTPUT_DIR.
const output = process.env['OUTPUT_DIR'] ?? 'failing-run';

export default defineConfig({
  testDir: __dirname,
  testMatch: 'failures.check.ts',
  workers: 1,
  outputDir: path.join(output, 'test-results'),
  use: { baseURL: process.env['BASE_URL'] },
  reporter: [['json', { outputFile: path.join(output, 'results.json') }]],
});
