import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { buildApp } from '../../demo-api/app';
import { parseDemoConfig } from '../../demo-api/config';
import { DEMO_ONLY } from '../../scripts/adopt';
import { readSettingsFile } from '../../setup/settings';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const apiKey = ['adoption', 'check', 'key', '4f7Qz9'].join('-');
type Result = { code: number; stdout: string; stderr: string };

// Files that name a path adoption removes on purpose: code that works with the demo and without it,
// the starter's documentation (which shows everything on the demo) and its history.
const MENTIONS_ON_PURPOSE = [
  /^(playwright\.config\.ts|eslint\.config\.mjs|CHANGELOG\.md)$/,
  /^(setup\/settings|checks\/playwright\.config|scripts\/(adopt|generate-contracts|starter-update))\.ts$/,
  /^(bench\/(servers|playwright\.config)\.ts|bench\/README\.md|\.github\/workflows\/tests\.yml)$/,
  /^checks\/unit\/environment-settings\.spec\.ts$/,
  /^docs\//,
];

/** A copy of the repository as a team makes it: its files, committed, with the node_modules of this one. */
async function cleanCopy(): Promise<{ copy: string; inCopy: (file: string, args: string[]) => Promise<Result> }> {
  const copy = mkdtempSync(path.join(tmpdir(), 'adopted-'));
  // Only the settings that a new machine has: no BASE_URL or credentials of the surrounding run.
  const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? copy, CI: 'true' };
  const inCopy = (file: string, args: string[]) =>
    run(file, args, { cwd: copy, env, maxBuffer: 32 * 1024 * 1024 }).then(
      ({ stdout, stderr }): Result => ({ code: 0, stdout, stderr }),
      (error: Result): Result => error,
    );
  const { stdout: files } = await run('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root });
  for (const file of files.split('\n').filter(Boolean)) {
    if (existsSync(path.join(root, file))) cpSync(path.join(root, file), path.join(copy, file));
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  await inCopy('git', ['init', '-q']);
  await inCopy('git', ['add', '-A']);
  await inCopy('git', ['-c', 'user.name=check', '-c', 'user.email=check@example.test', 'commit', '-qm', 'copy']);
  return { copy, inCopy };
}

/** Sets keys of .env on their own lines, as a team fills it in: uncommenting `# KEY=…` where need be. */
function fillIn(copy: string, values: Record<string, string>) {
  const file = path.join(copy, '.env');
  const lines = readFileSync(file, 'utf8').split('\n');
  for (const [key, value] of Object.entries(values)) {
    const index = lines.findIndex((line) => new RegExp(`^(# ?)?${key}=`).test(line));
    expect(index, `.env has a line for ${key}`).toBeGreaterThanOrEqual(0);
    lines[index] = `${key}=${value}`;
  }
  writeFileSync(file, lines.join('\n'));
}

/** Every file of `dir` (git's and the untracked ones, .env too) that names one of `removed`, as file → paths. */
function referencesTo(dir: string, removed: readonly string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const visit = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const file = path.posix.join(relative, entry.name);
      if (['node_modules', '.git', 'test-results', 'playwright-report', 'allure-results', 'reports'].includes(file))
        continue;
      if (entry.isDirectory()) visit(file);
      else {
        const text = readFileSync(path.join(dir, file), 'utf8');
        const named = removed.filter((gone) => text.includes(gone));
        if (named.length > 0) found[file] = named;
      }
    }
  };
  visit('');
  return found;
}

/** The relative links of a Markdown file that lead nowhere. */
function deadLinks(dir: string, file: string): string[] {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  return targets
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .filter((target) => !existsSync(path.join(dir, path.dirname(file), target.split('#')[0]!)));
}

type JsonReport = {
  suites: Array<{ file: string; specs: Array<{ title: string; tests: Array<{ status: string }> }> }>;
  stats: { expected: number; unexpected: number; skipped: number; flaky: number };
};

/** Each spec file's tests by outcome: `tests/api-smoke.spec.ts` → ['expected', 'expected']. */
function outcomes(report: JsonReport): Record<string, string[]> {
  return Object.fromEntries(
    report.suites.map((suite) => [
      path.basename(suite.file),
      suite.specs.flatMap((spec) => spec.tests.map((t) => t.status)),
    ]),
  );
}

test.describe.configure({ mode: 'parallel' });

test('the checks of an adopted copy fail on a removed path named, or a dead link', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'adoption-controls-'));
  try {
    writeFileSync(path.join(dir, 'README.md'), 'See [the demo](demo-api/README.md) and [the licence](LICENSE).\n');
    writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
    expect(referencesTo(dir, DEMO_ONLY)).toEqual({ 'README.md': ['demo-api'] });
    expect(deadLinks(dir, 'README.md')).toEqual(['demo-api/README.md']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run adopt -- --help prints the usage; an unknown option is a usage error; a bad document changes nothing', async () => {
  const { copy, inCopy } = await cleanCopy();
  try {
    const help = await inCopy('npm', ['run', '--silent', 'adopt', '--', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run adopt -- \[options\]/);
    expect(help.stdout).toContain('--openapi <file|URL>');
    const unknown = await inCopy('npm', ['run', '--silent', 'adopt', '--', '--base', 'https://api.example.com']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--base'\.\n\nUsage: npm run adopt/);
    expect(unknown.stderr).not.toMatch(/^\s+at /m);
    // A document that cannot be read stops it before anything changed.
    const unread = await inCopy('npm', [
      ...['run', '--silent', 'adopt', '--', '--yes', '--base-url', 'https://api.example.com'],
      ...['--openapi', 'no-such-openapi.json'],
    ]);
    expect(unread.code).toBe(1);
    expect(unread.stderr).toContain('no-such-openapi.json');
    expect((await inCopy('git', ['status', '--porcelain'])).stdout).toBe('');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

// A team adopts the starter as the README says: a copy of the repository, `npm run adopt` pointed at its
// API and the OpenAPI 3.1 document that API serves, settings in .env only. Its API here is the demo API,
// started apart as a black box that takes API keys.
test('an adopted copy from an OpenAPI 3.1 URL passes lint, type check and its suite, the smoke spec run', async () => {
  test.setTimeout(420_000);
  const api = buildApp(parseDemoConfig({ DEMO_API_KEYS: `user=${apiKey}` }));
  const baseUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  const { copy, inCopy } = await cleanCopy();
  try {
    const demoSettings = readSettingsFile(path.join(copy, 'demo-api', 'demo.env'));
    const adopted = await inCopy('npx', [
      'tsx',
      'scripts/adopt.ts',
      ...['--base-url', baseUrl, '--openapi', `${baseUrl}/openapi.json`, '--auth', 'token', '--yes'],
    ]);
    expect(adopted.stderr).toBe('');
    expect(adopted.stdout).toContain(`Adopted for ${baseUrl} (AUTH=token)`);
    expect(adopted.stdout).toMatch(/OpenAPI 3\.1\.\d+\): contracts in api\/generated\/, [1-9]\d* smoke tests/);

    // Each key once, and none of the demo's.
    const settings = readSettingsFile(path.join(copy, '.env'));
    expect(Object.keys(settings).filter((key) => key.startsWith('DEMO_'))).toEqual([]);
    const demoValues = Object.entries(demoSettings).filter(([key, value]) => value && settings[key] === value);
    expect(demoValues).toEqual([]);
    // What the team writes into .env: its key, in its API's header, without a scheme.
    fillIn(copy, { USER_TOKEN: apiKey, AUTH_HEADER: 'X-API-Key', AUTH_SCHEME: '' });
    expect(() => readSettingsFile(path.join(copy, '.env'))).not.toThrow();

    // The README is the adopted project's: its specs and commands, links that resolve, no demo.
    const readme = readFileSync(path.join(copy, 'README.md'), 'utf8');
    // No link of any Markdown file kept leads nowhere: the README's, the docs'.
    const { stdout: kept } = await inCopy('git', ['ls-files', '-co', '--exclude-standard', '*.md']);
    const markdown = kept.split('\n').filter((file) => file && existsSync(path.join(copy, file)));
    expect(markdown).toContain('docs/adopting.md');
    expect(markdown.flatMap((file) => deadLinks(copy, file).map((link) => `${file}: ${link}`))).toEqual([]);
    // The title of the team's API, here the demo's, aside.
    expect(readme.replaceAll('Demo API', 'the API')).not.toMatch(/demo|adopt it/i);
    const scripts = Object.keys(
      (JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8')) as { scripts: object }).scripts,
    );
    const commands = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]!);
    expect(commands.filter((command) => !scripts.includes(command))).toEqual([]);
    for (const spec of readdirSync(path.join(copy, 'tests'))) expect(readme).toContain(`tests/${spec}`);
    // Nothing kept names what adoption removed, but the files that do on purpose.
    // (api/generated/ is gone with the demo's schemas, and back with the team's.)
    const removed = DEMO_ONLY.filter((gone) => !existsSync(path.join(copy, gone)));
    expect(removed).toContain('demo-api');
    const references = Object.entries(referencesTo(copy, removed));
    expect(references.filter(([file]) => !MENTIONS_ON_PURPOSE.some((kept) => kept.test(file)))).toEqual([]);

    for (const script of ['lint', 'typecheck']) {
      const checked = await inCopy('npm', ['run', script]);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    }
    const suite = await inCopy('npx', ['playwright', 'test', '--reporter=json']);
    expect(suite.code, suite.stderr).toBe(0);
    const report = JSON.parse(suite.stdout) as JsonReport;
    const byFile = outcomes(report);
    expect(byFile['api-smoke.spec.ts']?.length).toBeGreaterThan(0);
    expect(new Set(byFile['api-smoke.spec.ts'])).toEqual(new Set(['expected']));
    // The pattern specs stay, as templates: each skips until its settings name an operation.
    const templates = Object.entries(byFile).filter(([file]) => file !== 'api-smoke.spec.ts');
    expect(templates.length).toBeGreaterThanOrEqual(6);
    for (const [file, statuses] of templates) expect(new Set(statuses), file).toEqual(new Set(['skipped']));

    const { stdout: core } = await inCopy('git', ['status', '--porcelain', '--', 'helpers', 'fixtures']);
    expect(core).toBe('');
    const again = await inCopy('npm', ['run', 'adopt', '--', '--yes']);
    expect(again.stderr).toContain('Already adopted');
  } finally {
    await api.close();
    rmSync(copy, { recursive: true, force: true });
  }
});

// A Swagger 2.0 document, as many running APIs still publish, read from a file; its API a small server.
const SWAGGER = {
  swagger: '2.0',
  info: { title: 'Things', version: '1.0.0' },
  basePath: '/v1',
  produces: ['application/json'],
  paths: {
    '/things': {
      get: {
        operationId: 'listThings',
        responses: {
          '200': { description: 'The things.', schema: { type: 'array', items: { $ref: '#/definitions/Thing' } } },
        },
      },
    },
    '/things/{thing_id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ name: 'thing_id', in: 'path', required: true, type: 'string' }],
        responses: {
          '200': { description: 'A thing.', schema: { $ref: '#/definitions/Thing' } },
          '404': { description: 'No such thing.' },
        },
      },
    },
    '/status': {
      get: {
        operationId: 'getStatus',
        responses: {
          '200': {
            description: 'Up.',
            schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
          },
        },
      },
    },
  },
  definitions: {
    Thing: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
    },
  },
};

const ANSWERS: Record<string, unknown> = {
  '/health': {},
  '/v1/things': [{ id: 'th_1', name: 'a lighthouse' }],
  '/v1/status': { status: 'ok' },
};

test('an adopted copy from a Swagger 2.0 file gets contracts and a smoke spec that typecheck and pass', async () => {
  test.setTimeout(300_000);
  const server: Server = createServer((request, response) => {
    const answer = ANSWERS[new URL(request.url ?? '/', 'http://localhost').pathname];
    response.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer ?? { code: 'NOT_FOUND' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  const { copy, inCopy } = await cleanCopy();
  const document = path.join(mkdtempSync(path.join(tmpdir(), 'swagger-')), 'swagger.json');
  try {
    writeFileSync(document, JSON.stringify(SWAGGER));
    const adopted = await inCopy('npx', [
      'tsx',
      'scripts/adopt.ts',
      ...['--base-url', baseUrl, '--openapi', document, '--auth', 'none', '--yes'],
    ]);
    expect(adopted.stderr).toBe('');
    expect(adopted.stdout).toContain('(OpenAPI 2.0): contracts in api/generated/, 2 smoke tests');

    const typecheck = await inCopy('npm', ['run', 'typecheck']);
    expect(typecheck.code, typecheck.stdout + typecheck.stderr).toBe(0);
    const suite = await inCopy('npx', ['playwright', 'test', '--reporter=json']);
    expect(suite.code, suite.stderr).toBe(0);
    const report = JSON.parse(suite.stdout) as JsonReport;
    expect(outcomes(report)['api-smoke.spec.ts']).toEqual(['expected', 'expected']);
    const smoke = readFileSync(path.join(copy, 'tests', 'api-smoke.spec.ts'), 'utf8');
    expect(smoke).toMatch(/api\.get\(['"]\/v1\/things['"]\)/);
  } finally {
    server.close();
    rmSync(copy, { recursive: true, force: true });
    rmSync(path.dirname(document), { recursive: true, force: true });
  }
});
