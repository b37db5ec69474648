import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, defineConfig } from '@playwright/test';

// The built Allure report seen in a real browser (`npm run report:browser`, after `npm run report`):
// headless Chromium, Playwright's own where it is installed (`npx playwright install chromium`), else
// the system's (Debian: `apt-get install chromium`).
const SYSTEM_CHROMIUMS = ['chromium', 'chromium-browser'];

function chromiumExecutable(): string | undefined {
  if (existsSync(chromium.executablePath())) return undefined;
  const directories = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  const system = SYSTEM_CHROMIUMS.flatMap((name) => directories.map((dir) => path.join(dir, name))).find((file) =>
    existsSync(file),
  );
  if (system) return system;
  console.error(
    'No Chromium for the browser check of the report: run `npx playwright install chromium`, ' +
      "or install your system's (Debian: `apt-get install chromium`).",
  );
  process.exit(2);
}

export default defineConfig({
  testDir: __dirname,
  forbidOnly: !!process.env['CI'],
  workers: 1,
  reporter: [['list']],
  outputDir: path.join(__dirname, '..', '..', 'test-results', 'browser'),
  timeout: 60_000,
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: chromiumExecutable(),
      // No sandbox: the check runs as root in containers. No background traffic of the browser's own.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
