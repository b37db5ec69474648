import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../playwright.config';

// `npm run record`: the suite as usual, and its exchanges recorded for a replay (docs/replay.md).
export default defineConfig({
  ...base,
  reporter: [...(Array.isArray(base.reporter) ? base.reporter : []), [path.join(__dirname, 'recording-reporter.ts')]],
});
