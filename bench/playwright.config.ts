import { defineConfig } from '@playwright/test';
import base from '../playwright.config';
import { EnvError, readEnv } from '../helpers/env';
import { redacting } from '../reporters/redacting-reporter';
import { benchServerPort, benchServers } from './servers';

// Bad settings are reported by global setup, as for the suite; then no instance is started here.
function envOrUndefined() {
  try {
    return readEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    return undefined;
  }
}

const env = envOrUndefined();
const baseServers = Array.isArray(base.webServer) ? base.webServer : base.webServer ? [base.webServer] : [];

// Benchmarks run inside Playwright (the reporting they measure only exists there), against the
// same demo API or BASE_URL as the suite, one at a time so that they do not disturb each other. With
// the embedded API, the scenarios of bench/servers.json run on instances of their own, started here.
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
  webServer: [
    ...baseServers,
    ...Object.entries(benchServers()).flatMap(([server, { settings }]) => {
      const port = env && benchServerPort(env, server);
      if (port === undefined || !env?.embeddedApi) return [];
      return [
        {
          name: `embedded API (${server})`,
          command: env.embeddedApi.command,
          cwd: baseServers[0]?.cwd,
          port,
          // Never one started by hand: its settings would not be the scenario's.
          reuseExistingServer: false,
          timeout: 30_000,
          stdout: 'ignore' as const,
          stderr: 'pipe' as const,
          env: { PORT: String(port), ...settings },
        },
      ];
    }),
  ],
});
