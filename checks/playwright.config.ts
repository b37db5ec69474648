import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { redacting } from '../reporters/redacting-reporter';

// The starter's own checks: the helpers' unit tests, the reporters' and the CI workflow's checks, and
// the embedded demo API's own tests (which start their own instances in process). They talk to no
// API under test and start no server: `npm run checks`, or `npx playwright test -c checks`.
// The core's settings still have to parse; an address where nothing listens will do.
process.env['BASE_URL'] ||= 'http://127.0.0.1:9';

const root = path.join(__dirname, '..');
const demoTests = path.join(root, 'demo-api', 'tests');
// The replay add-on's own checks go with it when replay/ is deleted.
const replayChecks = path.join(root, 'replay', 'checks');

export default defineConfig({
  fullyParallel: true,
  forbidOnly: !!process.env['CI'],
  workers: 4,
  reporter: redacting([['list']]),
  outputDir: path.join(root, 'test-results', 'checks'),
  projects: [
    { name: 'unit', testDir: path.join(__dirname, 'unit') },
    // Third-party push protocols, each against a real server of its own that the check starts in process.
    { name: 'push', testDir: path.join(__dirname, 'push') },
    { name: 'reporting', testDir: path.join(__dirname, 'reporting'), testMatch: '*.spec.ts' },
    // Nested runs of the suite's config: what a first run prints, and where its failures point.
    { name: 'first-run', testDir: path.join(__dirname, 'first-run'), testMatch: '*.spec.ts' },
    // Copies the repository, adopts the copy and runs its suite against a demo API started apart.
    ...(existsSync(demoTests) ? [{ name: 'adoption', testDir: path.join(__dirname, 'adoption') }] : []),
    // Runs example specs against demo APIs of their own, and builds and gates their Allure reports.
    ...(existsSync(demoTests) ? [{ name: 'reports', testDir: path.join(__dirname, 'reports') }] : []),
    // Its suite/ runs under the suite's own config (playwright.config.ts), against the embedded API.
    ...(existsSync(demoTests) ? [{ name: 'demo-api', testDir: demoTests, testIgnore: 'suite/**' }] : []),
    ...(existsSync(replayChecks) ? [{ name: 'replay', testDir: replayChecks }] : []),
  ],
});
