import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import semver from 'semver';

// `npm ci` warns EBADENGINE for every locked package whose `engines.node` leaves out the running Node.
// Each Node line that package.json's engines admits is tested on CI; none may warn, from the first
// version of the line to the last.
const root = path.join(__dirname, '..', '..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as unknown;
const { engines } = read('package.json') as { engines: { node: string } };
type Lock = { packages: Record<string, { version?: string; engines?: unknown }> };

/** The Node lines of an engines range (`^20.19.0 || ^22.13.0 || ^24`): each line's first and a late version. */
function nodeLines(range: string) {
  return range.split('||').map((line) => {
    const first = semver.minVersion(line)!;
    return { major: first.major, versions: [first.version, `${first.major}.99.0`] };
  });
}

/** Locked packages whose engines leave out one of those versions: `name@version needs <range>, not <node>`. */
function unsupportedEngines(lock: Lock, versions: string[]): string[] {
  return Object.entries(lock.packages).flatMap(([where, entry]) => {
    const needs = (entry.engines as { node?: unknown } | undefined)?.node;
    if (!where || typeof needs !== 'string') return [];
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    return versions
      .filter((node) => !semver.satisfies(node, needs))
      .map((node) => `${name}@${entry.version} needs ${needs}, not ${node}`);
  });
}

test('engines admits exactly the Node lines that CI tests, and .nvmrc names the newest', () => {
  const lines = nodeLines(engines.node);
  expect(lines.map((line) => line.major)).toEqual([20, 22, 24, 26]);
  expect(readFileSync(path.join(root, '.nvmrc'), 'utf8').trim()).toBe('26');
  for (const left of ['20.18.0', '21.7.0', '22.12.0', '23.11.0', '25.0.0']) {
    expect(semver.satisfies(left, engines.node), left).toBe(false);
  }
});

test('no locked package warns EBADENGINE on any version of the supported Node lines', () => {
  const versions = nodeLines(engines.node).flatMap((line) => line.versions);
  expect(unsupportedEngines(read('package-lock.json') as Lock, versions)).toEqual([]);
  // What it catches: the release that needs Node 22.12 (a hold-back in docs/ci.md).
  const newer: Lock = {
    packages: { 'node_modules/eventsource': { version: '5.1.5', engines: { node: '>=22.12.0' } } },
  };
  expect(unsupportedEngines(newer, versions)).toEqual([
    'eventsource@5.1.5 needs >=22.12.0, not 20.19.0',
    'eventsource@5.1.5 needs >=22.12.0, not 20.99.0',
  ]);
});
