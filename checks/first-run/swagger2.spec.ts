import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { readOpenApiDocument } from '../../helpers/openapi/document';
import { generatedFiles, writeGeneratedFiles } from '../../scripts/generate-contracts';
import { writeSmokeSpec } from '../../scripts/generate-smoke';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

// A team whose API publishes Swagger 2.0: a small API of its own, started here, serves its document at
// /swagger.json. Contracts and a smoke spec are generated from that URL, typecheck, and pass against it,
// each answer checked against the document too; the control breaks one answer.
test.describe.configure({ mode: 'serial', timeout: 120_000 });

const SWAGGER = {
  swagger: '2.0',
  info: { title: 'Things', version: '1.2.0' },
  basePath: '/api',
  produces: ['application/json'],
  // Named like the schema ThingId: its generated name must not become zThingId2.
  parameters: { thing_id: { name: 'thing_id', in: 'path', required: true, type: 'string' } },
  definitions: {
    ThingId: { type: 'string', pattern: '^thg_' },
    Thing: {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { $ref: '#/definitions/ThingId' },
        name: { type: 'string' },
        note: { type: 'string', 'x-nullable': true },
      },
    },
    Status: {
      type: 'object',
      required: ['ok', 'version'],
      properties: { ok: { type: 'boolean' }, version: { type: 'string' } },
    },
  },
  paths: {
    '/things': {
      get: {
        parameters: [{ name: 'limit', in: 'query', required: false, type: 'integer' }],
        responses: {
          '200': { description: 'The things', schema: { type: 'array', items: { $ref: '#/definitions/Thing' } } },
        },
      },
    },
    '/things/{thing_id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ $ref: '#/parameters/thing_id' }],
        responses: {
          '200': { description: 'A thing', schema: { $ref: '#/definitions/Thing' } },
          '404': { description: 'None' },
        },
      },
    },
    '/status': {
      get: { responses: { '200': { description: 'Up', schema: { $ref: '#/definitions/Status' } } } },
    },
    '/admin/stats': {
      get: {
        responses: { '200': { description: 'Stats', schema: { type: 'object' } }, '403': { description: 'Not yours' } },
      },
    },
  },
};

let drift = false;
const answers: Record<string, () => [number, unknown]> = {
  '/health': () => [200, { status: 'ok' }],
  '/swagger.json': () => [200, SWAGGER],
  '/api/things': () => [200, [{ id: 'thg_1', name: 'first', note: null }]],
  '/api/things/thg_1': () => [200, { id: 'thg_1', name: 'first' }],
  '/api/status': () => [200, { ok: true, version: drift ? 1.2 : '1.2.0' }],
  '/api/admin/stats': () => [403, { message: 'not yours' }],
};

let server: Server;
let baseUrl: string;
let dir: string;

test.beforeAll(async ({}, testInfo) => {
  server = createServer((request, response) => {
    const answer = answers[new URL(request.url ?? '/', 'http://x').pathname];
    const [status, body] = answer ? answer() : [404, { message: 'no such route' }];
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // In the repository's tree, so that the generated files resolve zod and the fixtures as a team's would.
  dir = testInfo.outputPath('things');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function smokeRun(): Promise<{ status: number; output: string; results: string }> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    BASE_URL: baseUrl,
    AUTH: 'none',
    OPENAPI_DOCUMENT: `${baseUrl}/swagger.json`,
    OPENAPI_CONFORMANCE: 'fail',
  };
  const cli = [require.resolve('@playwright/test/cli'), 'test', '-c', path.join(dir, 'smoke.config.ts')];
  const outcome = await run(process.execPath, cli, { cwd: root, env }).then(
    ({ stdout, stderr }) => ({ status: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      status: error.code ?? 1,
      output: (error.stdout ?? '') + (error.stderr ?? ''),
    }),
  );
  return { ...outcome, results: readFileSync(path.join(dir, 'results.json'), 'utf8') };
}

test('contracts and a smoke spec generated from a Swagger 2.0 URL have readable names and typecheck', async () => {
  const { writtenIn, document } = await readOpenApiDocument(`${baseUrl}/swagger.json`);
  expect(writtenIn).toBe('2.0');
  expect(document.openapi).toMatch(/^3\.0\./);
  writeGeneratedFiles(await generatedFiles(document), path.join(dir, 'generated'));
  const schemas = readFileSync(path.join(dir, 'generated', 'schemas.ts'), 'utf8');
  const names = [...schemas.matchAll(/^export const (\w+)/gm)].map((match) => match[1]);
  expect(names).toEqual(
    expect.arrayContaining(['zThingId', 'zThing', 'zGetThingPath', 'zGetThingResponse', 'zGetStatusResponse']),
  );
  expect(names.filter((name) => /\d$/.test(name!))).toEqual([]);

  const spec = await writeSmokeSpec({
    document,
    schemasFile: path.join(dir, 'generated', 'schemas.ts'),
    out: path.join(dir, 'smoke.spec.ts'),
  });
  expect(spec.tests.map((one) => [one.operation, one.path, one.schema])).toEqual([
    ['GET /status', '/api/status', 'zGetStatusResponse'],
    ['GET /things', '/api/things', 'zGetThingsResponse'],
  ]);
  expect(spec.leftOut).toEqual(['GET /admin/stats (it documents 403: it may refuse the default role)']);

  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: path.join(root, 'tsconfig.json'), include: ['./**/*.ts'], exclude: [] }),
  );
  writeFileSync(
    path.join(dir, 'smoke.config.ts'),
    [
      `import suite from ${JSON.stringify(path.join(root, 'playwright.config'))};`,
      `export default { ...suite, testDir: __dirname, testMatch: 'smoke.spec.ts', workers: 1,`,
      `  outputDir: __dirname + '/test-results', reporter: [['json', { outputFile: __dirname + '/results.json' }]] };`,
      '',
    ].join('\n'),
  );
  const tsc = await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { cwd: root }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? 'tsc failed',
  );
  expect(tsc).toBe('');
});

test('the smoke spec passes against the API, every answer conforming to the document', async () => {
  drift = false;
  const outcome = await smokeRun();
  expect(outcome.status, outcome.output).toBe(0);
  expect(outcome.results).toContain('"expected": 2');
  expect(outcome.results).not.toContain('nonconforming response');
});

test('the control: an answer off its schema fails the smoke spec, naming the field', async () => {
  drift = true;
  const outcome = await smokeRun();
  expect(outcome.status).toBe(1);
  expect(outcome.results).toContain('GET /status answered 200');
  expect(outcome.results).toMatch(/expected string, received number\\n\s+→ at version/);
});
