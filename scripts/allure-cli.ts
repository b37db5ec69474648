import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ConfigAdditions, allureConfigModule } from '../helpers/reports/allure-config';

const ROOT = path.join(__dirname, '..');
export const ALLURE_CONFIG = path.join(ROOT, 'allurerc.mjs');
const CLI = path.join(ROOT, 'node_modules', 'allure', 'cli.js');
// Node 20 lacks a method that `allure quality-gate` calls; the shim adds it (see the file).
const SHIM = path.join(__dirname, 'iterator-helpers.cjs');

/**
 * Runs an Allure command with allurerc.mjs and the additions (helpers/reports/allure-config.ts), from
 * a config written to a temporary folder for the time of the command; gives the finished process.
 */
export function runAllure(
  command: string,
  resultsDirs: readonly string[],
  additions: ConfigAdditions,
  env: NodeJS.ProcessEnv = process.env,
): SpawnSyncReturns<Buffer> {
  return withScratchDir((dir) =>
    spawnSync(process.execPath, allureArgs(dir, command, resultsDirs, additions), { stdio: 'inherit', env }),
  );
}

/** runAllure, without waiting: several commands may run at once. Resolves to the exit code. */
export async function startAllure(
  command: string,
  resultsDirs: readonly string[],
  additions: ConfigAdditions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return withScratchDirAsync(
    (dir) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, allureArgs(dir, command, resultsDirs, additions), {
          stdio: 'inherit',
          env,
        });
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? 1));
      }),
  );
}

function allureArgs(dir: string, command: string, resultsDirs: readonly string[], additions: ConfigAdditions) {
  const config = path.join(dir, 'allurerc.mjs');
  writeFileSync(config, allureConfigModule(ALLURE_CONFIG, additions));
  // The folders last: Allure takes every argument after the first folder for a folder.
  return ['--require', SHIM, CLI, command, '--config', config, ...resultsDirs];
}

/** A scratch folder for a command's own output, removed after `use`. */
export function withScratchDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'allure-scratch-'));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** withScratchDir for work that ends later: the folder is removed when `use` settles. */
export async function withScratchDirAsync<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'allure-scratch-'));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
