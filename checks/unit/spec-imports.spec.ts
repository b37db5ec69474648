import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { expect, test } from '../../fixtures';

// The specs in tests/ read top to bottom with one entry point, api/fixtures.ts: the lint refuses an
// import of the core (helpers/, fixtures/) there, and lets the entry point and the API layer through.
const root = path.join(__dirname, '..', '..');

async function restrictedImports(code: string, file = 'tests/imports.spec.ts') {
  // The rule needs no types: linting a text that is not on disk then works without the project.
  const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').length;
}

test('a spec that imports the core is refused by the lint', async () => {
  expect(await restrictedImports("import { ReadinessError } from '../helpers/readiness/wait';\n")).toBe(1);
  expect(await restrictedImports("import { test } from '../fixtures';\n")).toBe(1);
  expect(await restrictedImports("import { test } from '../fixtures/api';\n")).toBe(1);
  expect(await restrictedImports("import { slaMs } from '../helpers/env';\n")).toBe(1);
});

test('a spec that imports the entry point or the API layer is not', async () => {
  expect(await restrictedImports("import { ReadinessError, expect, test } from '../api/fixtures';\n")).toBe(0);
  expect(await restrictedImports("import { JobStatus } from '../api/examples';\n")).toBe(0);
  // The core itself imports its own helpers.
  expect(await restrictedImports("import { slaMs } from '../helpers/env';\n", 'fixtures/example.ts')).toBe(0);
});
