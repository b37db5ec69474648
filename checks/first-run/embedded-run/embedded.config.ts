import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../../../playwright.config';

// Run by checks/first-run/embedded-api.spec.ts: the suite's own config (its webServer, global setup and
// teardown) with one spec, against whatever listens on EMBEDDED_API_PORT. Reports go to OUTPUT_DIR.
export default defineConfig({
  ...base,
  testDir: __dirname,
  testMatch: 'answers.check.ts',
  outputDir: path.join(process.env['OUTPUT_DIR'] ?? 'embedded-run', 'test-results'),
  reporter: [['list']],
});
