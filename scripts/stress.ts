// Runs the suite repeatedly while CPU-burning processes occupy every core, as on a busy shared
// machine, and fails on any failure or flaky test. The burners stop by themselves.
// Usage: npm run test:stress [-- <repetitions, default 20>]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

const repetitions = Number(process.argv[2] ?? 20);
if (!Number.isInteger(repetitions) || repetitions < 1) {
  console.error(`Usage: npm run test:stress -- <repetitions>; got "${process.argv[2]}".`);
  process.exit(2);
}
// Long enough for the run, short enough that a forgotten burner cannot outlive it by much.
const BURN_FOR_MS = 30 * 60_000;
const results = path.join('reports', 'stress', 'results.json');
mkdirSync(path.dirname(results), { recursive: true });
rmSync(results, { force: true });

const burners: ChildProcess[] = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', `const end = Date.now() + ${BURN_FOR_MS}; while (Date.now() < end) {}`], {
    stdio: 'ignore',
  }),
);
const stopBurners = () => burners.forEach((burner) => burner.kill('SIGKILL'));
process.once('exit', stopBurners);

console.log(`${burners.length} CPU burners running; the suite ${repetitions} times over, no retries.`);
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    path.join('node_modules', '@playwright', 'test', 'cli.js'),
    'test',
    '--config',
    path.join('scripts', 'stress.config.ts'),
    `--repeat-each=${repetitions}`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
stopBurners();

type Stats = { expected: number; unexpected: number; flaky: number; skipped: number; duration: number };
const stats = existsSync(results) ? (JSON.parse(readFileSync(results, 'utf8')) as { stats: Stats }).stats : undefined;
const workerProcesses = existsSync(path.join('test-results', 'role-logins'))
  ? readdirSync(path.join('test-results', 'role-logins')).length
  : 0;
if (!stats) {
  console.error(`Stress run: no results (exit ${run.status}).`);
  process.exit(1);
}
console.log(
  `\nStress run with ${burners.length} cores busy: ${stats.expected} passed, ${stats.unexpected} failed, ` +
    `${stats.flaky} flaky, ${stats.skipped} skipped in ${Math.round((Date.now() - started) / 1000)} s; ` +
    `${workerProcesses} worker processes logged in.`,
);
process.exit(stats.unexpected === 0 && stats.flaky === 0 && run.status === 0 ? 0 : 1);
