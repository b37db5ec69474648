import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import semver from 'semver';

// Renovate proposes the updates (.github/renovate.json); what it must not propose is held back there,
// and each hold-back is explained in docs/ci.md.
const root = path.join(__dirname, '..', '..');
const text = (file: string) => readFileSync(path.join(root, file), 'utf8');
type Rule = { groupName?: string; matchPackageNames?: string[]; allowedVersions?: string };
const renovate = JSON.parse(text('.github/renovate.json')) as { rangeStrategy: string; packageRules: Rule[] };
const pkg = JSON.parse(text('package.json')) as { devDependencies: Record<string, string> };
const lock = JSON.parse(text('package-lock.json')) as { packages: Record<string, { version: string }> };

/** Every version of a package in the lockfile, hoisted or nested (`fastify/node_modules/light-my-request`). */
function lockedVersions(name: string): string[] {
  return Object.entries(lock.packages).flatMap(([where, entry]) =>
    where.endsWith(`node_modules/${name}`) ? [entry.version] : [],
  );
}

test('Playwright, Allure, ESLint and TypeScript updates come as one pull request each, of direct dependencies', () => {
  const groups = renovate.packageRules.filter((rule) => rule.groupName);
  expect(groups.map((rule) => rule.groupName)).toEqual(['Playwright', 'Allure', 'ESLint', 'TypeScript']);
  expect(groups.map((rule) => rule.matchPackageNames?.[0])).toEqual([
    '@playwright/test',
    'allure',
    'eslint',
    'typescript',
  ]);
  const grouped = groups.flatMap((rule) => rule.matchPackageNames ?? []);
  expect(grouped.filter((name) => !(name in pkg.devDependencies))).toEqual([]);
  // Ranges are moved to the version CI tested; an exact pin stays an exact pin.
  expect(renovate.rangeStrategy).toBe('bump');
});

test('every hold-back admits the locked version and is explained in docs/ci.md', () => {
  const holds = renovate.packageRules.filter((rule) => rule.allowedVersions);
  const heldBack = text('docs/ci.md').split('## Held back')[1]?.split('\n## ')[0] ?? '';
  const found = holds.flatMap((rule) =>
    (rule.matchPackageNames ?? []).map((name) => ({
      name,
      locked:
        lockedVersions(name).length > 0 &&
        lockedVersions(name).every((v) => semver.satisfies(v, rule.allowedVersions!)),
      documented: heldBack.includes(`\`${name}\``),
    })),
  );
  expect(found.map(({ name }) => name)).toEqual([
    'typescript',
    '@types/node',
    'eventsource',
    '@hey-api/openapi-ts',
    'light-my-request',
  ]);
  expect(found.filter((hold) => !hold.locked || !hold.documented)).toEqual([]);
});
