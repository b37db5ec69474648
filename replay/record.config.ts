import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../playwright.config';
import { withReporters } from '../reporters/redacting-reporter';

// `npm run record`: the suite as usual, and its exchanges recorded for a replay (docs/replay.md).
export default defineConfig({
  ...base,
  reporter: withReporters(base.reporter, [[path.join(__dirname, 'recording-reporter.ts')]]),
});
