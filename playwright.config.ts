import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { EnvError, readEnv } from './helpers/env';
import { redacting } from './reporters/redacting-reporter';
import { loadSettings } from './setup/settings';

// Bad settings must not end this process: the VS Code extension and UI mode load this config to list
// the tests. The list stays complete, and a run stops in global setup with the line naming the key.
function envOrUndefined() {
  try {
    loadSettings();
    return readEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    return undefined;
  }
}

const env = envOrUndefined();
const longestSlaMs = Math.max(0, ...Object.values(env?.slaSettings ?? {}));

export default defineConfig({
  // Absolute, so that configs extending this one (bench/, replay/) resolve them too.
  globalSetup: path.join(__dirname, 'setup/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'setup/global-teardown.ts'),
  // The pattern specs, and while the demo is here its own specs of provoked faults, which go with it.
  testDir: __dirname,
  // Absolute: a relative glob would match any folder named tests, demo-api/tests/ among them.
  testMatch: [path.join(__dirname, 'tests/**/*.spec.ts'), path.join(__dirname, 'demo-api/tests/suite/**/*.spec.ts')],
  fullyParallel: true,
  // A test may wait a whole SLA (and then some setup) before it fails with a readable message.
  timeout: Math.max(30_000, longestSlaMs + 20_000),
  forbidOnly: env?.ci ?? false,
  // On CI a test that fails and then passes is reported flaky, not failed; locally a failure is a failure.
  retries: env?.ci ? 2 : 0,
  // The tests mostly wait on the API, not on the CPU: more workers than cores pay off.
  workers: env?.workers ?? 4,
  // Every reporter sees the run with its secrets redacted (docs/clients-and-auth.md).
  reporter: redacting([
    ['list'],
    ['html', { open: 'never' }],
    // detail: false keeps Allure to the project's own steps (API calls, waits), without Playwright internals.
    [
      path.join(__dirname, 'reporters/allure.ts'),
      {
        resultsDir: 'allure-results',
        detail: false,
        targetUrl: env?.baseURL,
        environment: env?.environment,
        environmentInfo: env?.reportSettings,
      },
    ],
    [
      path.join(__dirname, 'reporters/readiness-summary-reporter.ts'),
      { outputDir: 'reports/readiness', allureResultsDir: 'allure-results' },
    ],
    [
      path.join(__dirname, 'reporters/api-summary-reporter.ts'),
      { outputDir: 'reports/api', allureResultsDir: 'allure-results' },
    ],
    // On CI, also a blob report: shards merge theirs into one report (docs/ci.md).
    ...(env?.ci ? [['blob'] as const] : []),
  ]),
  use: {
    baseURL: env?.baseURL,
  },
  // One project on purpose: workers of different projects cannot be shared, so every switch between
  // projects would start a fresh worker, and a fresh worker logs in again. The starter's own checks
  // have their own config (checks/playwright.config.ts).
  projects: [{ name: 'api' }],
  webServer: env?.embeddedApi
    ? [
        {
          name: 'embedded API',
          command: env.embeddedApi.command,
          cwd: __dirname,
          // The port, not HEALTH_PATH: a wrong HEALTH_PATH is then reported by global setup, by name.
          port: env.embeddedApi.port,
          // Outside CI, a server already on the port is reused when the API can say who it is
          // (EMBEDDED_API_IDENTITY): global setup stops the run if it is another one. CI starts its own.
          reuseExistingServer: !env.ci && env.embeddedApi.identity !== undefined,
          timeout: 30_000,
          stdout: 'ignore',
          stderr: 'pipe',
          env: { PORT: String(env.embeddedApi.port) },
        },
      ]
    : [],
});
