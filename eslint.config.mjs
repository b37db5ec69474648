// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import playwright from 'eslint-plugin-playwright';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const demoApiImport = {
  group: ['**/demo-api', '**/demo-api/**'],
  message: 'Tests talk to the API over HTTP only: nothing outside demo-api/ may import from it.',
};

const coreImport = {
  group: ['**/helpers', '**/helpers/**', '**/fixtures', '**/fixtures/**', '!**/api/fixtures'],
  message:
    "Specs import from api/fixtures.ts, their one entry point: test, expect, parse, the classifiers, the waits' errors.",
};

export default defineConfig(
  globalIgnores([
    'node_modules/',
    'playwright-report/',
    'test-results/',
    'blob-report/',
    'allure-results/',
    'allure-report/',
    'reports/',
    'bench/results/',
    'bench/.scale/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An un-awaited promise is how async tests hang, pass by accident or fail in the next test.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: [
      'tests/**/*.ts',
      'fixtures/**/*.ts',
      'api/**/*.ts',
      'checks/**/*.ts',
      'demo-api/tests/**/*.ts',
      'replay/**/*.ts',
    ],
    extends: [playwright.configs['flat/recommended']],
    rules: {
      'playwright/missing-playwright-await': 'error',
      'playwright/no-wait-for-timeout': 'error',
      'playwright/no-conditional-in-test': 'error',
      'playwright/no-conditional-expect': 'error',
      'playwright/no-skipped-test': ['error', { allowConditional: true }],
    },
  },
  {
    files: [
      'tests/**/*.ts',
      'fixtures/**/*.ts',
      'helpers/**/*.ts',
      'api/**/*.ts',
      'reporters/**/*.ts',
      'setup/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [demoApiImport] }],
      // `void promise` is not an excuse here: every promise is awaited.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [demoApiImport, coreImport],
          paths: [
            {
              name: '@playwright/test',
              message: 'Import test and expect from api/fixtures.ts, which adds the core fixtures, matchers and yours.',
            },
            {
              name: 'node:timers/promises',
              message: 'No fixed sleeps: wait on a signal (waitUntilReady, expect.poll).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'fixtures/**/*.ts', 'api/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'No fixed sleeps: wait on a signal (waitUntilReady, expect.poll).' },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'fixtures/**/*.ts', 'helpers/**/*.ts', 'api/**/*.ts'],
    ignores: ['helpers/env.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings from readEnv() in helpers/env.ts, the one validated source.',
        },
      ],
    },
  },
);
