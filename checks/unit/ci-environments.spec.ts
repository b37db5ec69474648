import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { expect, test } from '@playwright/test';

// The workflow's run per environment and their merge into one Allure report: its shape, as the CI
// cannot run here (while the demo is here, a check of its reports runs the same sequence on this machine).
const Step = z.object({
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  if: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});
const Workflow = z.object({
  jobs: z.object({
    environments: z.object({
      strategy: z.object({
        'fail-fast': z.literal(false),
        matrix: z.object({
          include: z.array(z.object({ environment: z.string(), settings: z.string(), demo: z.string() })),
        }),
      }),
      env: z.record(z.string(), z.string()),
      steps: z.array(Step),
    }),
    'merge-environments': z.object({ if: z.string(), needs: z.array(z.string()), steps: z.array(Step) }),
  }),
});

const { jobs } = Workflow.parse(parse(readFileSync(path.join(__dirname, '../../.github/workflows/tests.yml'), 'utf8')));
const environments = jobs.environments.strategy.matrix.include.map((entry) => entry.environment);

test('each environment runs the suite with API_ENV and its own .env.<name>, from a secret of its own', () => {
  expect(environments.length).toBeGreaterThan(1);
  expect(jobs.environments.env).toEqual({ API_ENV: '${{ matrix.environment }}' });
  const settings = jobs.environments.steps.find((step) => step.run?.includes('.env.$API_ENV'));
  expect(settings?.env).toEqual({
    ENVIRONMENT_SETTINGS: '${{ secrets[matrix.settings] }}',
    DEMO_SETTINGS: '${{ matrix.demo }}',
  });
  expect(new Set(jobs.environments.strategy.matrix.include.map((entry) => entry.settings)).size).toBe(
    environments.length,
  );
  expect(jobs.environments.steps.map((step) => step.run).filter(Boolean)).toContain('npx playwright test');
  const upload = jobs.environments.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
  expect(upload?.with).toMatchObject({ name: 'environment-${{ matrix.environment }}', path: 'allure-results' });
});

test('the merge builds one report of every environment, keeps its history and gates on every one tested', () => {
  const merge = jobs['merge-environments'];
  expect([merge.if, merge.needs]).toEqual(['${{ !cancelled() }}', ['environments']]);
  const download = merge.steps.find((step) => step.uses?.startsWith('actions/download-artifact'));
  // Each environment's results in a folder of their own: a report of several folders, one per environment.
  expect(download?.with).toEqual({ path: 'environments', pattern: 'environment-*' });
  expect(merge.steps.flatMap((step) => (step.run ? [step.run] : []))).toEqual([
    'npm ci',
    `printf '%s\\n' "$TEST_ENV" > .env`,
    'npm run report -- environments/*',
    'npm run report:gate -- environments/*',
  ]);
  const gate = merge.steps.find((step) => step.run?.startsWith('npm run report:gate'));
  expect(gate?.env).toEqual({ GATE_ENVIRONMENTS: environments.join(',') });
  const caches = merge.steps.filter((step) => step.uses?.startsWith('actions/cache'));
  expect(caches.map((step) => [step.uses, step.with?.['path']])).toEqual([
    ['actions/cache/restore@v5', '.history/allure-history.jsonl'],
    ['actions/cache/save@v5', '.history/allure-history.jsonl'],
  ]);
});
