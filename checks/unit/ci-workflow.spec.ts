import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { expect, test } from '@playwright/test';

// The CI workflow cannot run here; its shape can be checked: Playwright's documented sharding
// pattern, and the steps that `npm run test:sharded` reproduces locally.
const Step = z.object({
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  if: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
});
const Permissions = z.record(z.string(), z.enum(['read', 'write', 'none']));
const Workflow = z.object({
  env: z.record(z.string(), z.unknown()),
  permissions: Permissions,
  jobs: z.object({
    node: z.object({ strategy: z.object({ matrix: z.object({ node: z.array(z.int()) }) }), steps: z.array(Step) }),
    test: z.object({
      strategy: z.object({
        'fail-fast': z.literal(false),
        matrix: z.object({ shardIndex: z.array(z.int()), shardTotal: z.array(z.int()) }),
      }),
      steps: z.array(Step),
    }),
    'merge-reports': z.object({ if: z.string(), needs: z.array(z.string()), steps: z.array(Step) }),
    'publish-report': z.object({
      if: z.string(),
      needs: z.array(z.string()),
      permissions: Permissions,
      steps: z.array(Step),
    }),
  }),
});

const workflow = Workflow.parse(parse(readFileSync(path.join(__dirname, '../../.github/workflows/tests.yml'), 'utf8')));
const runs = (steps: Array<z.infer<typeof Step>>) => steps.flatMap((step) => (step.run ? [step.run] : []));

test('every Node line that engines admits installs strictly, lints, type checks, runs the checks and the examples', () => {
  const { engines } = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const lines = engines.node.split('||').map((line) => Number(/\d+/.exec(line)![0]));
  expect(workflow.jobs.node.strategy.matrix.node).toEqual(lines);
  expect(runs(workflow.jobs.node.steps)).toEqual([
    'npm ci --engine-strict',
    'npm run lint',
    'npm run typecheck',
    'npm run checks',
    'npx playwright test',
  ]);
});

test('the jobs may only read the repository, but for the Pages deployment, which runs after a clean secret scan', () => {
  expect(workflow.permissions).toEqual({ contents: 'read' });
  const jobs = Object.entries(workflow.jobs as Record<string, { permissions?: unknown }>);
  expect(jobs.filter(([, job]) => job.permissions).map(([name]) => name)).toEqual(['publish-report']);
  const publish = workflow.jobs['publish-report'];
  expect(publish.permissions).toEqual({ pages: 'write', 'id-token': 'write', actions: 'read' });
  expect(publish.if).toContain("needs.merge-reports.outputs.pages == 'success'");
  const merge = workflow.jobs['merge-reports'].steps.map((step) => step.name ?? step.uses ?? step.run);
  const pages = workflow.jobs['merge-reports'].steps.find((step) => step.uses?.startsWith('actions/upload-pages'));
  expect(pages?.if).toContain("vars.PUBLISH_REPORT == 'true'");
  expect(merge.indexOf(pages?.name)).toBeGreaterThan(merge.indexOf('No secret in the merged reports'));
});

test('the settings of a run come from one secret holding a .env, so a new setting needs no workflow edit', () => {
  expect(Object.keys(workflow.env)).toEqual(['CI']);
  for (const job of [workflow.jobs.test, workflow.jobs['merge-reports']]) {
    const settings = job.steps.find((step) => step.run?.includes('> .env'));
    expect(settings).toMatchObject({ run: `printf '%s\\n' "$TEST_ENV" > .env` });
  }
});

test('every action is on its current major version', () => {
  const uses = Object.values(workflow.jobs).flatMap((job) =>
    job.steps.flatMap((step) => (step.uses ? [step.uses] : [])),
  );
  const majors = new Map(uses.map((use) => [use.split('@')[0]!, use.split('@')[1]!]));
  expect(Object.fromEntries(majors)).toEqual({
    'actions/checkout': 'v6',
    'actions/setup-node': 'v6',
    'actions/upload-artifact': 'v7',
    'actions/download-artifact': 'v7',
    'actions/cache/restore': 'v5',
    'actions/cache/save': 'v5',
    'actions/upload-pages-artifact': 'v5',
    'actions/deploy-pages': 'v5',
  });
});

test('the suite runs as a matrix of shards, each uploading its blob report and Allure results', () => {
  const { matrix } = workflow.jobs.test.strategy;
  expect(matrix.shardIndex).toEqual(Array.from({ length: matrix.shardTotal[0]! }, (_, i) => i + 1));
  expect(runs(workflow.jobs.test.steps)).toContain(
    'npx playwright test --shard=${{ matrix.shardIndex }}/${{ matrix.shardTotal }}',
  );
  const uploads = workflow.jobs.test.steps.filter((step) => step.uses?.startsWith('actions/upload-artifact'));
  expect(uploads.map((step) => [step.if, step.with?.['path']])).toEqual([
    ['${{ !cancelled() }}', 'blob-report'],
    ['${{ !cancelled() }}', 'allure-results'],
  ]);
});

test('the merge runs even after failed shards and builds one report, history and gate included', () => {
  const merge = workflow.jobs['merge-reports'];
  expect([merge.if, merge.needs]).toEqual(['${{ !cancelled() }}', ['test']]);
  expect(runs(merge.steps)).toEqual([
    'npm ci',
    `printf '%s\\n' "$TEST_ENV" > .env`,
    'npx playwright merge-reports --config merge.config.ts ./all-blob-reports',
    'npm run report',
    'npm run report:check',
    'npx playwright install --with-deps chromium',
    'npm run report:browser',
    'cat reports/readiness/readiness-summary.md >> "$GITHUB_STEP_SUMMARY"',
    'npm run scan:secrets',
    'npm run report:gate',
  ]);
  const cacheKeys = merge.steps
    .filter((step) => step.uses?.startsWith('actions/cache'))
    .map((step) => step.with?.['path']);
  expect(cacheKeys).toEqual(['.history/allure-history.jsonl', '.history/allure-history.jsonl']);
});
