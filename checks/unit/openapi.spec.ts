import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConformanceError, conformanceChecker } from '../../helpers/openapi/conformance';
import { type OpenApiDocument, readOpenApiDocument, toOpenApi3 } from '../../helpers/openapi/document';
import { matchOperation } from '../../helpers/openapi/match';
import { contractOperationId, operationIdOf } from '../../helpers/openapi/names';
import { operationsOfDocument } from '../../helpers/openapi/operations';
import { EnvError, parseEnv } from '../../helpers/env';
import { conformanceSettings } from '../../helpers/settings/openapi';
import { Redactor } from '../../helpers/secrets/redactor';
import { smokeSpecOf } from '../../scripts/generate-smoke';
import { expect, test } from '../../fixtures';

const THING = {
  type: 'object',
  required: ['id', 'count'],
  properties: { id: { type: 'string' }, count: { type: 'integer' }, note: { type: ['string', 'null'] } },
};
const DOCUMENT_31: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Things', version: '1' },
  servers: [{ url: 'https://api.example.com/v1' }],
  paths: {
    '/things/{thing_id}': {
      parameters: [{ name: 'thing_id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        responses: {
          '200': {
            description: 'A thing',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '4XX': { $ref: '#/components/responses/Problem' },
        },
      },
    },
    '/things/mine': { get: { security: [], responses: { '200': { description: 'Mine' } } } },
    '/things': {
      post: { requestBody: { required: true, content: {} }, responses: { default: { description: 'Any' } } },
    },
  },
  components: {
    schemas: {
      Thing: THING,
      Problem: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
    },
    responses: {
      Problem: {
        description: 'A problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  },
};
const json = { 'content-type': 'application/json; charset=utf-8' };

test('operations: templates, statuses, inputs and response schemas, local references followed', () => {
  const api = operationsOfDocument(DOCUMENT_31);
  expect(api.basePaths).toEqual(['/v1']);
  expect(api.operations.map((one) => [one.method, one.template, one.statuses, one.needsInput, one.public])).toEqual([
    ['GET', '/things/{thing_id}', ['200', '4XX'], true, false],
    ['GET', '/things/mine', ['200'], false, true],
    ['POST', '/things', ['default'], true, false],
  ]);
  expect(Object.keys(api.operations[0]!.responses['4XX']!)).toEqual(['application/problem+json']);
  expect(matchOperation(api, 'get', '/v1/things/mine?x=1')?.template).toBe('/things/mine');
  expect(matchOperation(api, 'GET', '/things/thg_1')?.template).toBe('/things/{thing_id}');
  expect(matchOperation(api, 'DELETE', '/things/thg_1')).toBeUndefined();
});

test('conformance: an answer the document allows passes, whatever extra fields it has', () => {
  const checker = conformanceChecker(DOCUMENT_31);
  const body = JSON.stringify({ id: 'thg_1', count: 2, note: null, extra: true });
  expect(checker.check({ method: 'GET', path: '/v1/things/thg_1', status: 200, headers: json, body })).toBeUndefined();
  const problem = { 'content-type': 'application/problem+json' };
  const said = JSON.stringify({ message: 'no such thing' });
  expect(
    checker.check({ method: 'GET', path: '/things/x', status: 404, headers: problem, body: said }),
  ).toBeUndefined();
  expect(checker.check({ method: 'POST', path: '/things', status: 500, headers: json, body: '{}' })).toBeUndefined();
});

test('conformance: each kind of finding names the operation and says what is wrong', () => {
  const redactor = new Redactor();
  redactor.addSecret('s3cr3t-value');
  const checker = conformanceChecker(DOCUMENT_31, redactor);
  const check = (method: string, path: string, status: number, body: unknown, headers = json) =>
    checker.check({ method, path, status, headers, body: JSON.stringify(body) });

  expect(check('GET', '/things/thg_1', 200, { id: 'thg_1', count: '2', note: 's3cr3t-value' })).toMatchObject({
    operation: 'GET /things/{thing_id}',
    kind: 'body',
    summary:
      'GET /things/{thing_id} answered 200: the body does not match the documented schema (Invalid input: expected number, received string at count)',
  });
  const explanation = check('GET', '/things/thg_1', 200, {
    id: 'thg_1',
    count: '2',
    note: 's3cr3t-value',
  })!.explanation;
  expect(explanation).toContain('✖ Invalid input: expected number, received string\n  → at count');
  expect(explanation).not.toContain('s3cr3t-value');

  expect(check('GET', '/things/thg_1', 500, {})).toMatchObject({
    kind: 'undocumented status',
    summary: 'GET /things/{thing_id} answered 500: the document lists 200, 4XX for it',
  });
  expect(check('GET', '/things/thg_1', 404, { message: 'x' })).toMatchObject({
    kind: 'undocumented content type',
    summary: 'GET /things/{thing_id} answered 404: application/json is not among application/problem+json',
  });
  expect(check('GET', '/elsewhere?page=2', 200, {})).toMatchObject({
    operation: 'GET /elsewhere',
    kind: 'undocumented operation',
    summary: 'GET /elsewhere answered 200: the document has no such operation',
  });
  expect(new ConformanceError('x').name).toBe('ConformanceError');
});

test('conformance of an OpenAPI 3.0 document: nullable and references to its schemas', () => {
  const document: OpenApiDocument = {
    openapi: '3.0.3',
    info: { title: 'Old', version: '1' },
    paths: {
      '/a': {
        get: {
          responses: {
            '200': {
              description: 'A',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        A: {
          type: 'object',
          required: ['at'],
          properties: { at: { type: 'string', format: 'date-time', nullable: true } },
        },
      },
    },
  };
  const checker = conformanceChecker(document);
  const check = (at: unknown) =>
    checker.check({ method: 'GET', path: '/a', status: 200, headers: json, body: JSON.stringify({ at }) });
  expect(check(null)).toBeUndefined();
  expect(check('2026-12-03T10:00:00+01:00')).toBeUndefined();
  expect(check('yesterday')?.explanation).toContain('→ at at');
});

test('a Swagger 2.0 document is upgraded to OpenAPI 3.0; other versions are refused naming the source', async () => {
  const upgraded = await toOpenApi3(
    {
      swagger: '2.0',
      info: { title: 'Old', version: '1' },
      basePath: '/api',
      paths: {
        '/ping': {
          get: {
            produces: ['application/json'],
            responses: { '200': { description: 'pong', schema: { type: 'string' } } },
          },
        },
      },
    },
    'swagger.json',
  );
  expect(upgraded.writtenIn).toBe('2.0');
  expect(upgraded.document.openapi).toMatch(/^3\.0\./);
  const api = operationsOfDocument(upgraded.document);
  expect(api.basePaths).toEqual(['/api']);
  expect(api.operations[0]!.responses['200']).toEqual({ 'application/json': { type: 'string' } });

  await expect(toOpenApi3({ swagger: '1.2' }, 'old.json')).rejects.toThrow(
    'old.json is not an OpenAPI 3.0, 3.1 or Swagger 2.0 document (it says swagger "1.2").',
  );
  await expect(toOpenApi3({ paths: {} }, 'x.yaml')).rejects.toThrow('no "openapi" or "swagger" field');
});

test('a document is read from a YAML file; a missing file and a broken one are named', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
  try {
    writeFileSync(path.join(dir, 'api.yaml'), 'openapi: 3.0.3\ninfo: {title: Y, version: "1"}\npaths: {}\n');
    writeFileSync(path.join(dir, 'broken.yaml'), 'openapi: [3.0\n');
    expect((await readOpenApiDocument('api.yaml', dir)).writtenIn).toBe('3.0.3');
    await expect(readOpenApiDocument('none.yaml', dir)).rejects.toThrow(
      'No OpenAPI document at none.yaml (no such file).',
    );
    await expect(readOpenApiDocument('broken.yaml', dir)).rejects.toThrow('broken.yaml is neither JSON nor YAML');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('operation ids: its own, or made of the method and path; a clash with a schema gets a word, not a number', () => {
  expect(operationIdOf({ method: 'GET', template: '/things/{thing_id}/parts', operationId: undefined })).toBe(
    'getThingsByThingIdParts',
  );
  expect(operationIdOf({ method: 'GET', template: '/x', operationId: 'listX' })).toBe('listX');
  const things = { method: 'GET', template: '/things', operationId: undefined };
  expect(contractOperationId(things, ['Thing'])).toBe('getThings');
  expect(contractOperationId(things, ['GetThingsResponse'])).toBe('getThingsOperation');
});

test('conformance is on with a document, report by default; a bad mode names the setting', () => {
  const env = (extra: Record<string, string>) => parseEnv({ BASE_URL: 'https://api.example.com', ...extra });
  expect(conformanceSettings(env({}))).toBeUndefined();
  expect(conformanceSettings(env({ OPENAPI_DOCUMENT: 'api.yaml' }))).toEqual({ document: 'api.yaml', mode: 'report' });
  expect(conformanceSettings(env({ OPENAPI_DOCUMENT: 'api.yaml', OPENAPI_CONFORMANCE: 'fail' }))?.mode).toBe('fail');
  expect(conformanceSettings(env({ OPENAPI_DOCUMENT: 'api.yaml', OPENAPI_CONFORMANCE: 'off' }))).toBeUndefined();
  expect(() => conformanceSettings(env({ OPENAPI_DOCUMENT: 'api.yaml', OPENAPI_CONFORMANCE: 'strict' }))).toThrow(
    new EnvError('Invalid setting OPENAPI_CONFORMANCE: expected one of off, report, fail, got "strict".'),
  );
});

test('the smoke spec: one test per GET without input, with its schema; the others left out or named', () => {
  const schemas = 'export const zThing = z.object({});\nexport const zGetThingsByThingIdResponse = zThing;\n';
  const spec = smokeSpecOf(DOCUMENT_31, schemas);
  expect(spec.tests).toEqual([
    { operation: 'GET /things/mine', path: '/v1/things/mine', statuses: [200], schema: undefined },
  ]);
  expect(spec.text).toContain("const response = await api.get('/v1/things/mine');".replace(/'/g, '"'));
  expect(spec.text).toContain('await expect(response).toHaveStatus(200);');
  const none = smokeSpecOf({ openapi: '3.1.0', info: { title: 'None', version: '1' }, paths: {} }, '');
  expect(none.tests).toEqual([]);
  expect(none.text).toContain("test.skip(true, 'none in the document: nothing to smoke-test without input');");
});
