import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
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
  const dir = mkdtempSync(path.join(tmpdir(), 'allure-config-'));
  try {
    const config = path.join(dir, 'allurerc.mjs');
    writeFileSync(config, allureConfigModule(ALLURE_CONFIG, additions));
    // The folders last: Allure takes every argument after the first folder for a folder.
    return spawnSync(process.execPath, ['--require', SHIM, CLI, command, '--config', config, ...resultsDirs], {
      stdio: 'inherit',
      env,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
