import { defineConfig } from '@playwright/test';
import base from '../playwright.config';
import { readEnv } from '../helpers/env';
import { BENCH_SERVERS, type BenchServer, benchServerPort } from './servers';

const env = readEnv();
const baseServers = Array.isArray(base.webServer) ? base.webServer : base.webServer ? [base.webServer] : [];

// Benchmarks run inside Playwright (the reporting they measure only exists there), against the
// same demo API or BASE_URL as the suite, one at a time so that they do not disturb each other. The
// polling benchmark's scenarios run on demo API instances of their own, started here with their settings.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.bench.ts',
  projects: [{ name: 'bench' }],
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  globalTeardown: undefined,
  timeout: 10 * 60_000,
  webServer: [
    ...baseServers,
    ...(Object.keys(BENCH_SERVERS) as BenchServer[]).flatMap((server) => {
      const port = benchServerPort(env, server);
      if (port === undefined || !env.embeddedApi) return [];
      return [
        {
          name: `demo API ${server}`,
          command: env.embeddedApi.command,
          cwd: baseServers[0]?.cwd,
          port,
          // Never one started by hand: its settings would not be the scenario's.
          reuseExistingServer: false,
          timeout: 30_000,
          stdout: 'ignore' as const,
          stderr: 'pipe' as const,
          env: { PORT: String(port), ...BENCH_SERVERS[server].settings },
        },
      ];
    }),
  ],
});
