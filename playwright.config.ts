import path from 'node:path';
import { defineConfig } from '@playwright/test';
import dotenv from 'dotenv';
import { EnvError, ROLES, credentialKeys, readEnv } from './helpers/env';

dotenv.config({ quiet: true });

function envOrExit() {
  try {
    return readEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    // One readable line instead of a stack trace from inside the config loader.
    console.error(error.message);
    process.exit(2);
  }
}

const env = envOrExit();
const longestSlaMs = Math.max(...Object.values(env.slaMs));

export default defineConfig({
  // Absolute, so that configs extending this one (bench/) resolve them too.
  globalSetup: path.join(__dirname, 'fixtures/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'fixtures/global-teardown.ts'),
  fullyParallel: true,
  // A test may wait a whole SLA (and then some setup) before it fails with a readable message.
  timeout: Math.max(30_000, longestSlaMs + 20_000),
  forbidOnly: env.ci,
  retries: 0,
  // The tests mostly wait on the API, not on the CPU: more workers than cores pay off.
  workers: env.workers ?? 4,
  reporter: [
    ['list'],
    ['html', { open: 'never' }],
    // detail: false keeps Allure to the project's own steps (API calls, waits), without Playwright internals.
    [
      path.join(__dirname, 'reporters/allure.ts'),
      {
        resultsDir: 'allure-results',
        detail: false,
        targetUrl: env.baseURL,
        environmentInfo: {
          ...(env.usesDemoApi ? { 'Demo API faults': env.demoFaults ?? 'none' } : {}),
          ...(env.replay
            ? {
                'Replay of': env.replay.recording,
                'Replay candidate': env.replay.candidateURL,
                ...(env.replay.startsCandidate ? { 'Candidate faults': env.replay.candidateFaults ?? 'none' } : {}),
              }
            : {}),
        },
      },
    ],
    [
      path.join(__dirname, 'reporters/readiness-summary.ts'),
      { outputDir: 'reports/readiness', allureResultsDir: 'allure-results' },
    ],
    [
      path.join(__dirname, 'reporters/replay-summary.ts'),
      { outputDir: 'reports/replay', allureResultsDir: 'allure-results' },
    ],
    // On CI, also a blob report: shards merge theirs into one report (see the README).
    ...(env.ci ? [['blob'] as const] : []),
  ],
  use: {
    baseURL: env.baseURL,
  },
  // One project on purpose: workers of different projects cannot be shared, so every switch between
  // projects would start a fresh worker, and a fresh worker logs in again. Filter by path instead:
  // `npx playwright test tests/unit` (helpers, no server needed), `npx playwright test demo-api`.
  // With REPLAY_RECORDING set, the run is a replay of that recording instead (see the README).
  projects: env.replay
    ? [{ name: 'replay', testDir: path.join(__dirname, 'replay'), testMatch: 'replay.spec.ts' }]
    : [
        {
          name: 'api',
          testDir: __dirname,
          // demo-api/tests are the embedded demo API's own tests; they go when demo-api/ is deleted.
          testMatch: ['tests/**/*.spec.ts', 'demo-api/tests/**/*.spec.ts'],
        },
      ],
  webServer: [
    // A replay of recorded responses needs no baseline; a live one does.
    ...(env.usesDemoApi && (!env.replay || env.replay.mode === 'live') ? [demoApi('demo API', env.demoApiPort)] : []),
    // For a replay against the demo API: the candidate, with its own faults, and a second baseline.
    ...(env.replay?.startsCandidate
      ? [demoApi('candidate', env.demoApiPort + 1, env.replay.candidateFaults ?? '')]
      : []),
    ...(env.replay?.startsNoiseBaseline ? [demoApi('second baseline', env.demoApiPort + 2, '')] : []),
  ],
});

/** The embedded demo API on a port; `faults` replaces DEMO_FAULTS for this instance when given. */
function demoApi(name: string, port: number, faults?: string) {
  return {
    name,
    command: 'node --import tsx demo-api/main.ts',
    cwd: __dirname,
    url: `http://127.0.0.1:${port}/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      DEMO_API_PORT: String(port),
      ...(faults === undefined ? {} : { DEMO_FAULTS: faults }),
      // The demo API creates the role accounts the tests log in with.
      ...Object.fromEntries(
        ROLES.flatMap((role) => {
          const credentials = env.credentials[role];
          const keys = credentialKeys(role);
          return credentials
            ? [
                [keys.email, credentials.email],
                [keys.password, credentials.password],
              ]
            : [];
        }),
      ),
    },
  };
}
