// Runs the suite as N shards, one after the other as if on N machines, then merges them the way the
// CI workflow (.github/workflows/tests.yml) does, and checks the merge.
// Usage: npm run test:sharded -- [number of shards, default 3]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const shards = Number(process.argv[2] ?? 3);
if (!Number.isInteger(shards) || shards < 1) {
  console.error(`Usage: npm run test:sharded -- <number of shards>; got "${process.argv[2]}".`);
  process.exit(2);
}

const work = 'shards';
const playwright = path.join('node_modules', '@playwright', 'test', 'cli.js');

function run(title: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  console.log(`\n$ ${title}`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function moveIfPresent(from: string, to: string) {
  if (existsSync(from)) renameSync(from, to);
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

rmSync(work, { recursive: true, force: true });
mkdirSync(path.join(work, 'all-blob-reports'), { recursive: true });
const failedShards: number[] = [];

// 1. The shards: each one as a CI machine runs it, its outputs set aside as the CI uploads them.
for (let shard = 1; shard <= shards; shard += 1) {
  const status = run(
    `npx playwright test --shard=${shard}/${shards}`,
    [playwright, 'test', `--shard=${shard}/${shards}`],
    {
      CI: 'true',
    },
  );
  if (status !== 0) failedShards.push(shard);
  const dir = path.join(work, `shard-${shard}`);
  mkdirSync(dir);
  moveIfPresent('allure-results', path.join(dir, 'allure-results'));
  moveIfPresent(path.join('reports', 'readiness'), path.join(dir, 'readiness'));
  moveIfPresent(path.join('reports', 'api'), path.join(dir, 'api'));
  for (const blob of existsSync('blob-report') ? readdirSync('blob-report') : []) {
    cpSync(path.join('blob-report', blob), path.join(work, 'all-blob-reports', blob));
  }
}

// 2. The merge: the shards' Allure results in one folder, the blob reports merged into one
// Playwright report and one readiness summary, then the Allure report.
rmSync('allure-results', { recursive: true, force: true });
for (let shard = 1; shard <= shards; shard += 1) {
  const results = path.join(work, `shard-${shard}`, 'allure-results');
  if (existsSync(results)) cpSync(results, 'allure-results', { recursive: true });
}
let status = run('npx playwright merge-reports --config merge.config.ts shards/all-blob-reports', [
  playwright,
  'merge-reports',
  '--config',
  'merge.config.ts',
  path.join(work, 'all-blob-reports'),
]);
status ||= run('npm run report', [path.join('node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/build-report.ts']);
if (status !== 0) process.exit(status);

// 3. The checks: as many tests as an unsharded run, and one summary holding every shard's waits.
const listed = spawnSync(process.execPath, [playwright, 'test', '--list', '--reporter=json'], { encoding: 'utf8' });
type Suite = { specs?: Array<{ tests: unknown[] }>; suites?: Suite[] };
const count = (suite: Suite): number =>
  (suite.specs ?? []).reduce((sum, spec) => sum + spec.tests.length, 0) +
  (suite.suites ?? []).reduce((sum, child) => sum + count(child), 0);
const unsharded = (JSON.parse(listed.stdout) as { suites: Suite[] }).suites.reduce(
  (sum, suite) => sum + count(suite),
  0,
);
const allureTotal =
  readJson<{ stats: { total?: number } }>(path.join('allure-report', 'by-feature', 'summary.json')).stats.total ?? 0;
type Summary = { waits: number; operations: Array<{ operation: string; waits: number }> };
const shardWaits = Array.from({ length: shards }, (_, index) => {
  const file = path.join(work, `shard-${index + 1}`, 'readiness', 'readiness-summary.json');
  return existsSync(file) ? readJson<Summary>(file).waits : 0;
});
const merged = readJson<Summary>(path.join('reports', 'readiness', 'readiness-summary.json'));
// The API summary: per operation, the merged summary counts the calls of every shard, once.
type ApiSummary = { operations: Array<{ operation: string; calls: number }> };
const shardCalls = new Map<string, number>();
for (let shard = 1; shard <= shards; shard += 1) {
  const file = path.join(work, `shard-${shard}`, 'api', 'api-summary.json');
  if (!existsSync(file)) continue;
  for (const { operation, calls } of readJson<ApiSummary>(file).operations) {
    shardCalls.set(operation, (shardCalls.get(operation) ?? 0) + calls);
  }
}
const mergedCalls = new Map(
  readJson<ApiSummary>(path.join('reports', 'api', 'api-summary.json')).operations.map((row) => [
    row.operation,
    row.calls,
  ]),
);
const callMismatches = [...new Set([...shardCalls.keys(), ...mergedCalls.keys()])].filter(
  (operation) => (shardCalls.get(operation) ?? 0) !== (mergedCalls.get(operation) ?? 0),
);

console.log(`\nTests: ${allureTotal} in the merged Allure report, ${unsharded} in an unsharded run.`);
console.log(`Readiness waits: ${merged.waits} in the merged summary, ${shardWaits.join(' + ')} in the shards.`);
console.log(
  `API calls: ${[...mergedCalls.values()].reduce((a, b) => a + b, 0)} in ${mergedCalls.size} operations in the merged summary, as in the shards.`,
);
const problems = [
  ...(allureTotal === unsharded ? [] : ['the merged Allure report does not count the tests of an unsharded run']),
  ...(merged.waits === shardWaits.reduce((a, b) => a + b, 0) ? [] : ['the merged readiness summary misses waits']),
  ...(callMismatches.length === 0
    ? []
    : [`the merged API summary counts other calls than the shards for ${callMismatches.join(', ')}`]),
  ...(failedShards.length === 0 ? [] : [`shard(s) ${failedShards.join(', ')} failed`]),
];
if (problems.length > 0) {
  console.error(`Sharded run: ${problems.join('; ')}.`);
  process.exit(1);
}
console.log(
  'Sharded run merged: playwright-report/, allure-report/, reports/readiness/ and reports/api/ cover all shards.',
);
