import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../playwright.config';
import { redacting } from '../reporters/redacting-reporter';

// The suite as `npm run test:stress` runs it: no retries, dots and a JSON file, still behind the
// redaction (reporters given on the command line would not be).
const root = path.join(__dirname, '..');

export default defineConfig({
  ...base,
  retries: 0,
  outputDir: path.join(root, 'test-results'),
  reporter: redacting([['dot'], ['json', { outputFile: path.join(root, 'reports', 'stress', 'results.json') }]]),
});
