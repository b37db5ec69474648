import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Page, expect, test as base } from '@playwright/test';

// The Allure report of the last run as a reviewer sees it: opened from disk in Chromium, its Metrics
// section, a test with its labels and steps, and not one request to another machine. The figures and
// labels it looks for are those of the run's own files (reports/ and allure-results/).
// REPORT_SCREENSHOTS=<folder> also saves the pictures of docs/reports.md there.
const ROOT = path.join(__dirname, '..', '..');
const REPORT = path.join(ROOT, 'allure-report');
const SCREENSHOTS = process.env['REPORT_SCREENSHOTS'];

type Label = { name: string; value: string };
type Step = { name: string; steps: Step[] };
type Result = { name: string; labels: Label[]; steps: Step[] };

/** Every request the page makes; any to another machine is stopped before it leaves, and counted. */
const test = base.extend<{ offMachine: string[] }>({
  offMachine: async ({ context }, use) => {
    const requested: string[] = [];
    context.on('request', (request) => {
      if (!/^(file|data|blob|about):/.test(request.url())) requested.push(request.url());
    });
    await context.route(/^(https?|wss?|ftp):/, (route) => route.abort());
    await use(requested);
  },
});

function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(path.join(ROOT, ...parts), 'utf8')) as T;
}

function view(name: 'by-feature' | 'by-operation'): string {
  const page = path.join(REPORT, name, 'index.html');
  expect(existsSync(page), `${page}: build the report first (npm run report)`).toBe(true);
  return `file://${page}`;
}

async function screenshot(page: Page, name: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

test('the report opens from its summary page, and asks nothing of another machine', async ({ page, offMachine }) => {
  await page.goto(`file://${path.join(REPORT, 'index.html')}`);
  await expect(page.getByText('Async API tests by feature')).toBeVisible();
  await expect(page.getByText('Async API tests by operation')).toBeVisible();
  for (const name of ['by-feature', 'by-operation'] as const) {
    await page.goto(view(name));
    await expect(page.getByText(/^Results/).first()).toBeVisible();
  }
  expect(offMachine).toEqual([]);
});

/** Each figure the run's summaries hold, as the Metrics section should show it: key and value with its unit. */
function figuresOfTheRun(): Array<[string, string]> {
  type Readiness = {
    environment: string | null;
    operations: Array<{ operation: string; observedTimeToReadyMs: { p95: number | null } }>;
  };
  type Api = {
    environment: string | null;
    operations: Array<{ operation: string; calls: number; p95Ms: number | null }>;
  };
  const readiness = readJson<Readiness>('reports', 'readiness', 'readiness-summary.json');
  const api = readJson<Api>('reports', 'api', 'api-summary.json');
  const key = (environment: string | null, operation: string, figure: string) =>
    [environment, operation, figure].filter(Boolean).join(' · ');
  return [
    ...readiness.operations.flatMap((op): Array<[string, string]> =>
      op.observedTimeToReadyMs.p95 === null
        ? []
        : [[key(readiness.environment, op.operation, 'time to ready p95'), `${op.observedTimeToReadyMs.p95} ms`]],
    ),
    ...api.operations.flatMap((op): Array<[string, string]> =>
      op.calls === 0 ? [] : [[key(api.environment, op.operation, 'calls'), String(op.calls)]],
    ),
    ...api.operations.flatMap((op): Array<[string, string]> =>
      op.p95Ms === null ? [] : [[key(api.environment, op.operation, 'latency p95'), `${op.p95Ms} ms`]],
    ),
  ];
}

/** The polled image generation where the demo is, else any test that called an operation. */
function testThatCalled(): Result {
  const resultsDir = path.join(ROOT, 'allure-results');
  const results = readdirSync(resultsDir)
    .filter((file) => file.endsWith('-result.json'))
    .map((file) => JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as Result)
    .sort((a, b) => a.name.localeCompare(b.name));
  const withCalls = (result: Result) => ['operation', 'role'].every((name) => labelsOf(result, name).length > 0);
  const found =
    results.find((result) => result.name === 'an image generation task is polled to completion' && withCalls(result)) ??
    results.find(withCalls);
  if (!found) throw new Error(`No test in ${resultsDir} called an operation: run the suite first.`);
  return found;
}

function labelsOf(result: Result, name: string): Label[] {
  return result.labels.filter((label) => label.name === name);
}

/** Opens the test's first wait, if it has one, to show its attempts. */
async function openFirstWait(page: Page, result: Result) {
  const wait = result.steps.find((step) => step.name.startsWith('Wait for'));
  if (!wait) return;
  await page.getByText(wait.name, { exact: true }).first().click();
  await expect(page.getByText(/^Attempt 1: /).first()).toBeVisible();
}

test('the Metrics section lists every operation with its value', async ({ page, offMachine }) => {
  const expected = figuresOfTheRun();
  expect(expected.length).toBeGreaterThan(0);

  await page.goto(view('by-feature'));
  await page.getByRole('button', { name: 'Report' }).click();
  await page.getByText('Metrics', { exact: true }).click();
  await expect(page.getByText('Performance metrics')).toBeVisible();
  await screenshot(page, 'allure-metrics.png');
  for (const [metric, value] of expected) {
    const row = page.getByRole('row').filter({ has: page.getByText(metric, { exact: true }) });
    await expect(row, metric).toContainText(value);
  }
  expect(offMachine).toEqual([]);
});

test('a test shows its feature, story, operation and role labels, and its named steps', async ({
  page,
  offMachine,
}) => {
  const result = testThatCalled();
  const feature = labelsOf(result, 'feature')[0]!.value;

  await page.goto(view('by-feature'));
  await page.getByText(feature, { exact: true }).first().click();
  await page.getByText(result.name, { exact: true }).first().click();
  await expect(page.getByRole('heading', { name: result.name })).toBeVisible();
  const labelsShown = page.getByTestId('metadata-item');
  for (const name of ['feature', 'story', 'operation', 'role']) {
    const item = labelsShown.filter({ has: page.getByTestId('metadata-item-key').getByText(name, { exact: true }) });
    for (const label of labelsOf(result, name)) await expect(item, name).toContainText(label.value);
  }
  // A call's step is named after its answer, and a wait's shows its attempts.
  const call = result.steps.find((step) => step.name.includes(' → '));
  expect(call, 'a step named after its answer').toBeDefined();
  await expect(page.getByText(call!.name, { exact: true }).first()).toBeVisible();
  // Its request and response are one attachment in it.
  const exchange = call!.steps.find((step) => step.name.endsWith(' request and response'));
  expect(exchange, "the call's request and response").toBeDefined();
  await page.getByText(call!.name, { exact: true }).first().click();
  await page.getByText(exchange!.name, { exact: true }).first().click();
  await expect(page.getByText('"response"').first()).toBeVisible();
  await openFirstWait(page, result);
  await screenshot(page, 'allure-test-steps.png');
  expect(offMachine).toEqual([]);
});

test('control: a page that loads from another host is caught, and nothing leaves the machine', async ({
  page,
  offMachine,
}, testInfo) => {
  // Allure's own pages load analytics that way until scripts/build-report.ts strips them.
  const html = readFileSync(path.join(REPORT, 'by-feature', 'index.html'), 'utf8');
  const copy = testInfo.outputPath('with-analytics.html');
  writeFileSync(
    copy,
    html.replace('<head>', '<head><script async src="https://www.googletagmanager.com/gtag/js?id=G-CHECK"></script>'),
  );
  await page.goto(`file://${copy}`);
  await expect.poll(() => offMachine).toEqual(['https://www.googletagmanager.com/gtag/js?id=G-CHECK']);
});
