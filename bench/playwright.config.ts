import { defineConfig } from '@playwright/test';
import base from '../playwright.config';
import { redacting } from '../reporters/redacting-reporter';

// Benchmarks run inside Playwright (the reporting they measure only exists there), against the
// same demo API or BASE_URL as the suite, one at a time so that they do not disturb each other.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.bench.ts',
  projects: [{ name: 'bench' }],
  workers: 1,
  fullyParallel: false,
  reporter: redacting([['list']]),
  globalTeardown: undefined,
  timeout: 10 * 60_000,
});
