// `npm run bench:scale`: what the starter's reporting costs as a suite grows. For each size it
// generates that many tests against the API (each submits a task, waits for it with waitUntilReady,
// and reads it once more), runs them once with the suite's reporters and once with Playwright's list
// and HTML reporters only, builds the Allure report of the first, and compares.
// Usage: npm run bench:scale -- [--sizes 500,2000,5000] [--sharded] [--keep]
//   --sharded: the largest size also runs in 4 shards, as `npm run test:sharded` does, and merges.
//   --keep: leaves the generated tests and what the runs wrote in bench/.scale/.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.join(__dirname, '..');
const WORK = path.join(__dirname, '.scale');
const TESTS_PER_FILE = 50;
const SHARDS = 4;
const PLAYWRIGHT = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500,2000,5000' },
    sharded: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map((size) => Number(size.replaceAll('_', '')));
if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
  console.error(`--sizes: expected whole numbers separated by commas, such as 500,2000; got "${values.sizes}".`);
  process.exit(2);
}

type Measured = {
  wallS: number;
  /** The peak resident memory of the process started (the runner, the merge), in MB. */
  peakMb: number;
  /** The peak of the resident memory of it and every process it started, summed, in MB. */
  treePeakMb: number;
  /** CPU time of the process started, and of the processes it started and saw end (workers), in s. */
  cpuS: number;
  childrenCpuS: number;
  status: number;
};
type Written = { files: number; mb: number };
type Variant = {
  run: Measured;
  written: Written;
  tests: { passed: number; failed: number };
  build?: Measured & { written: Written; tests: number };
};

// ---------------------------------------------------------------- generation

function generate(size: number): void {
  const dir = path.join(WORK, 'tests');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let file = 0; file * TESTS_PER_FILE < size; file += 1) {
    const count = Math.min(TESTS_PER_FILE, size - file * TESTS_PER_FILE);
    writeFileSync(path.join(dir, `generated-${String(file).padStart(4, '0')}.spec.ts`), specOf(file, count));
  }
}

function specOf(file: number, count: number): string {
  return `import { Task, TaskAccepted } from '../../../api/contracts';
import { byStatusField } from '../../../helpers/readiness/classifiers';
import { expect, parse, test } from '../../../api/fixtures';

for (let index = 0; index < ${count}; index += 1) {
  test(\`generated task ${file}.\${index} completes and reads back\`, async ({ api, waitUntilReady }) => {
    const submitted = await api.post('/api/v1/images/generations', {
      data: { prompt: \`generated ${file}.\${index}\`, size: '256x256', n: 1 },
    });
    await expect(submitted).toHaveStatus(202);
    const { taskId } = await parse(submitted, TaskAccepted);
    await waitUntilReady({
      operation: 'image generation',
      subject: \`task \${taskId}\`,
      probe: ({ timeoutMs }) => api.get(\`/api/v1/tasks/\${taskId}\`, { timeout: timeoutMs }),
      classify: byStatusField({ schema: Task }),
    });
    const task = await parse(await api.get(\`/api/v1/tasks/\${taskId}\`), Task);
    expect(task.status).toBe('completed');
  });
}
`;
}

// ---------------------------------------------------------------- measuring

/** Runs a command to its end, sampling the memory of its process and of the processes it started. */
async function measure(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; log: string }) {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => log.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => log.push(chunk));
  let peakKb = 0;
  let treePeakKb = 0;
  let cpu = { own: 0, children: 0 };
  const sample = () => {
    peakKb = Math.max(peakKb, statusField(child.pid!, 'VmHWM'));
    treePeakKb = Math.max(treePeakKb, treeRssKb(child.pid!));
    cpu = cpuOf(child.pid!) ?? cpu;
  };
  const sampler = setInterval(sample, 100);
  const status = await exitOf(child, sample);
  clearInterval(sampler);
  writeFileSync(options.log, Buffer.concat(log));
  const measured: Measured = {
    wallS: round((performance.now() - started) / 1000, 1),
    peakMb: Math.round(peakKb / 1024),
    treePeakMb: Math.round(treePeakKb / 1024),
    cpuS: round(cpu.own, 1),
    childrenCpuS: round(cpu.children, 1),
    status,
  };
  return measured;
}

function exitOf(child: ChildProcess, beforeExit: () => void): Promise<number> {
  return new Promise((resolve) => {
    // The last sample as the process ends: a peak at its very end (a report written) is counted.
    child.stdout?.on('end', beforeExit);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // gone already
  }
}

const TICKS_PER_S = 100;

// utime, stime, cutime and cstime of /proc/<pid>/stat, in clock ticks.
function cpuOf(pid: number): { own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return { own: (fields[11]! + fields[12]!) / TICKS_PER_S, children: (fields[13]! + fields[14]!) / TICKS_PER_S };
  } catch {
    return undefined;
  }
}

function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone already
    }
  }
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += statusField(pid, 'VmRSS');
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

function written(dir: string): Written {
  let files = 0;
  let bytes = 0;
  for (const entry of existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : []) {
    const stat = statSync(path.join(dir, entry));
    if (!stat.isFile()) continue;
    files += 1;
    bytes += stat.size;
  }
  return { files, mb: round(bytes / 1024 / 1024, 1) };
}

// ---------------------------------------------------------------- runs

const runEnv = (run: string, reporting: 'starter' | 'plain', more: NodeJS.ProcessEnv = {}) => ({
  SCALE_WORK_DIR: WORK,
  SCALE_RUN: run,
  SCALE_REPORTING: reporting,
  // The starter's own work, not the API's latency, is what grows with the suite.
  DEMO_LATENCY_SCALE: process.env['DEMO_LATENCY_SCALE'] ?? '0.02',
  // Every output is this run's own: no history of earlier runs, no reporter of an IDE.
  PW_TEST_REPORTER: '',
  ...more,
});

function testsOf(log: string): { passed: number; failed: number } {
  const text = readFileSync(log, 'utf8');
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(text)?.[1] ?? 0);
  return { passed: count('passed'), failed: count('failed') + count('flaky') };
}

async function runTests(run: string, reporting: 'starter' | 'plain', more: string[] = [], env = {}): Promise<Variant> {
  const out = path.join(WORK, run);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const log = path.join(WORK, `${run}.log`);
  console.log(`  ${run}: ${reporting} reporters…`);
  // From the run's folder, so that what a run keeps between runs (the readiness history) is its own.
  const measured = await measure([PLAYWRIGHT, 'test', '-c', path.join(__dirname, 'scale.config.ts'), ...more], {
    cwd: out,
    env: runEnv(run, reporting, env),
    log,
  });
  return { run: measured, written: written(out), tests: testsOf(log) };
}

/** `npm run report` on a run's Allure results, in the run's folder. */
async function buildReport(run: string, resultsDir = path.join(WORK, run, 'allure-results')) {
  const dir = path.join(WORK, run);
  const measured = await measure([TSX, path.join(ROOT, 'scripts', 'build-report.ts'), resultsDir], {
    cwd: dir,
    log: path.join(WORK, `${run}-report.log`),
  });
  const summary = path.join(dir, 'allure-report', 'by-feature', 'summary.json');
  const total = existsSync(summary)
    ? ((JSON.parse(readFileSync(summary, 'utf8')) as { stats: { total?: number } }).stats.total ?? 0)
    : 0;
  return { ...measured, written: written(path.join(dir, 'allure-report')), tests: total };
}

type Merged = {
  shards: Measured[];
  merge: Measured;
  build: Measured & { tests: number };
  counts: { unsharded: Counts; merged: Counts };
};
type Counts = { tests: number; waits: number; calls: number };

function countsOf(dir: string, tests: number): Counts {
  const read = <T>(file: string, empty: T): T =>
    existsSync(path.join(dir, file)) ? (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T) : empty;
  return {
    tests,
    waits: read('reports/readiness/readiness-summary.json', { waits: 0 }).waits,
    calls: read('reports/api/api-summary.json', { calls: 0 }).calls,
  };
}

/** The suite in 4 shards, as `npm run test:sharded` runs them on CI machines, then their merge. */
async function sharded(size: number, unsharded: Counts): Promise<Merged> {
  const merge = path.join(WORK, `merge-${size}`);
  rmSync(merge, { recursive: true, force: true });
  mkdirSync(path.join(merge, 'all-blob-reports'), { recursive: true });
  const shards: Measured[] = [];
  let shardCalls = 0;
  for (let shard = 1; shard <= SHARDS; shard += 1) {
    const run = `shard-${shard}-of-${size}`;
    const result = await runTests(run, 'starter', [`--shard=${shard}/${SHARDS}`], { CI: 'true' });
    shards.push(result.run);
    shardCalls += countsOf(path.join(WORK, run), 0).calls;
    const blobs = path.join(WORK, run, 'blob-report');
    for (const blob of existsSync(blobs) ? readdirSync(blobs) : []) {
      cpSync(path.join(blobs, blob), path.join(merge, 'all-blob-reports', blob));
    }
    cpSync(path.join(WORK, run, 'allure-results'), path.join(merge, 'allure-results'), { recursive: true });
    if (!values.keep) rmSync(path.join(WORK, run), { recursive: true, force: true });
  }
  console.log(`  merge-${size}: merge-reports…`);
  const merged = await measure(
    [PLAYWRIGHT, 'merge-reports', '--config', path.join(ROOT, 'merge.config.ts'), path.join(merge, 'all-blob-reports')],
    {
      cwd: merge,
      env: { PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(merge, 'playwright-report'), PW_TEST_REPORTER: '' },
      log: path.join(WORK, `merge-${size}.log`),
    },
  );
  const build = await buildReport(`merge-${size}`, path.join(merge, 'allure-results'));
  // Each shard's workers log in on their own: the merge counts the calls of the shards, not of one run.
  return {
    shards,
    merge: merged,
    build,
    counts: { unsharded: { ...unsharded, calls: shardCalls }, merged: countsOf(merge, build.tests) },
  };
}

// ---------------------------------------------------------------- the benchmark

type Row = { tests: number; starter: Variant; plain: Variant; ratios: Record<string, number> };

function round(value: number, decimals = 2): number {
  return Math.round(value * 10 ** decimals) / 10 ** decimals;
}

async function main() {
  const load = loadavg().map((value) => round(value, 2));
  console.log(`bench:scale, sizes ${sizes.join(', ')}; load average ${load.join(', ')} on this machine.`);
  mkdirSync(WORK, { recursive: true });
  const rows: Row[] = [];
  let merged: Merged | undefined;
  try {
    for (const size of sizes) {
      console.log(`${size} tests:`);
      generate(size);
      // The plain run first: a starter's history of waits from an earlier size is its own.
      const plain = await runTests(`plain-${size}`, 'plain');
      const starter = await runTests(`starter-${size}`, 'starter');
      starter.build = await buildReport(`starter-${size}`);
      const ratios = {
        wall: round(starter.run.wallS / plain.run.wallS),
        peakMemory: round(starter.run.peakMb / plain.run.peakMb),
        written: round(starter.written.mb / plain.written.mb),
      };
      rows.push({ tests: size, starter, plain, ratios });
      print(rows.at(-1)!);
      if (values.sharded && size === Math.max(...sizes)) {
        const unsharded = countsOf(path.join(WORK, `starter-${size}`), starter.build.tests);
        merged = await sharded(size, unsharded);
        printMerged(merged, starter.run);
      }
      if (!values.keep) {
        for (const run of [`plain-${size}`, `starter-${size}`])
          rmSync(path.join(WORK, run), { recursive: true, force: true });
      }
    }
  } finally {
    if (!values.keep) rmSync(WORK, { recursive: true, force: true });
  }
  const out = path.join(__dirname, 'results', 'scale.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const loadAfter = loadavg().map((value) => round(value, 2));
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), load: { before: load, after: loadAfter }, rows, merged }, null, 2)}\n`,
  );
  console.log(`\nLoad average at the end ${loadAfter.join(', ')}. Written to ${path.relative(process.cwd(), out)}.`);
  // Every test of each run passed, or the figures are not of the suite they claim to be.
  const incomplete = (variant: Variant, size: number) => variant.run.status !== 0 || variant.tests.passed !== size;
  const failed = rows.filter((row) => incomplete(row.starter, row.tests) || incomplete(row.plain, row.tests));
  for (const row of failed)
    console.error(
      `${row.tests} tests: a run did not pass them all (with --keep, its log stays in ${path.relative(ROOT, WORK)}/).`,
    );
  const mismatch = merged && JSON.stringify(merged.counts.unsharded) !== JSON.stringify(merged.counts.merged);
  if (failed.length > 0 || mismatch) process.exit(1);
}

function print(row: Row): void {
  const { starter, plain } = row;
  const perTest = (value: number, unit: string) => `${round((value * 1000) / row.tests, 1)} ${unit}`;
  console.table({
    'plain (list, html)': {
      'wall s': plain.run.wallS,
      'runner peak MB': plain.run.peakMb,
      'all processes MB': plain.run.treePeakMb,
      'runner CPU s': plain.run.cpuS,
      'workers CPU s': plain.run.childrenCpuS,
      'report build s': '–',
      'build peak MB': '–',
      written: `${plain.written.files} files, ${plain.written.mb} MB`,
      'per test': `${perTest(plain.run.wallS, 'ms')}, ${perTest(plain.run.peakMb, 'kB')}`,
      tests: `${plain.tests.passed} passed, ${plain.tests.failed} not`,
    },
    starter: {
      'wall s': starter.run.wallS,
      'runner peak MB': starter.run.peakMb,
      'all processes MB': starter.run.treePeakMb,
      'runner CPU s': starter.run.cpuS,
      'workers CPU s': starter.run.childrenCpuS,
      'report build s': starter.build?.wallS,
      'build peak MB': starter.build?.treePeakMb,
      written: `${starter.written.files} files, ${starter.written.mb} MB (report ${starter.build?.written.mb} MB)`,
      'per test': `${perTest(starter.run.wallS, 'ms')}, ${perTest(starter.run.peakMb, 'kB')}`,
      tests: `${starter.tests.passed} passed, ${starter.tests.failed} not`,
    },
  });
  console.log(
    `  ratios to plain: wall ${row.ratios.wall}×, runner peak memory ${row.ratios.peakMemory}×, written ${row.ratios.written}×`,
  );
}

function printMerged(merged: Merged, unsharded: Measured): void {
  console.log(
    `  ${SHARDS} shards: ${merged.shards.map((shard) => `${shard.wallS} s / ${shard.peakMb} MB`).join(', ')}; ` +
      `merge ${merged.merge.wallS} s, peak ${merged.merge.peakMb} MB (unsharded run ${unsharded.peakMb} MB); ` +
      `report build ${merged.build.wallS} s, ${merged.build.treePeakMb} MB`,
  );
  const { unsharded: one, merged: all } = merged.counts;
  console.log(
    `  counts unsharded / merged: tests ${one.tests} / ${all.tests}, waits ${one.waits} / ${all.waits}; ` +
      `calls in the shards / merged ${one.calls} / ${all.calls}`,
  );
}

void main();
