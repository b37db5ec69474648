import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { readEnv } from '../helpers/env';
import base from '../playwright.config';
import { withReporters } from '../reporters/redacting-reporter';
import { replaySettings } from './settings';

// `npm run replay`: every exchange of the recording (`npm run record`) replayed against a candidate
// environment and compared with the baseline (docs/replay.md). Extends the suite's config.
const env = readEnv();
const replay = replaySettings(env);
const baseServers = Array.isArray(base.webServer) ? base.webServer : base.webServer ? [base.webServer] : [];

/** Another instance of the embedded API, on its own port; `faults` replaces DEMO_FAULTS for it. */
function embeddedInstance(name: string, port: number, faults: string) {
  return {
    ...baseServers[0]!,
    name,
    port,
    reuseExistingServer: false,
    env: { PORT: String(port), DEMO_FAULTS: faults },
  };
}

export default defineConfig({
  ...base,
  testDir: __dirname,
  testMatch: 'replay.spec.ts',
  globalSetup: path.join(__dirname, 'global-setup.ts'),
  projects: [{ name: 'replay' }],
  reporter: withReporters(base.reporter, [
    [path.join(__dirname, 'summary-reporter.ts'), { outputDir: 'reports/replay', allureResultsDir: 'allure-results' }],
  ]),
  webServer: [
    // A replay of recorded responses needs no baseline; a live one does.
    ...(replay.mode === 'live' ? baseServers : []),
    ...(replay.startsCandidate && env.embeddedApi
      ? [embeddedInstance('candidate', env.embeddedApi.port + 1, replay.candidateFaults ?? '')]
      : []),
    ...(replay.startsNoiseBaseline && env.embeddedApi
      ? [embeddedInstance('second baseline', env.embeddedApi.port + 2, '')]
      : []),
  ],
});
