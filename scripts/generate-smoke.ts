// Writes a smoke spec from an OpenAPI document: one test per safe operation that needs no input (a GET
// without required parameters or body), called as the default role (the `api` fixture), checking that
// it answers a documented success status and that the body matches the generated contract. Left out,
// and named in the spec's header: a GET that documents 403 (it may refuse the default role) and one
// that answers only an event stream (it would not end).
//
// Usage: npm run smoke:generate [-- --from <url|file>] [--out <file>]
//   The document: --from, else OPENAPI_DOCUMENT, else api/generated/openapi.json. The contracts must be
//   generated first (npm run contracts:generate): the spec imports their schemas from api/generated/.
//   --out: tests/api-smoke.spec.ts by default.
//
// From code (the adoption command calls it), the signature stays:
//   smokeSpecOf(document, schemasSource, imports?) → { text, tests }   the spec's text, unformatted
//   writeSmokeSpec({ document, schemasFile, out }) → Promise<SmokeSpec> formatted with prettier, written
// `document` is OpenAPI 3 (readOpenApiDocument in helpers/openapi/document.ts upgrades a 2.0 one);
// `schemasSource` is the text of the generated schemas.ts, whose exports the tests import.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { EnvError, readEnv } from '../helpers/env';
import { type OpenApiDocument, readOpenApiDocument } from '../helpers/openapi/document';
import { contractOperationId, looseName } from '../helpers/openapi/names';
import { type DocumentedOperation, operationsOfDocument } from '../helpers/openapi/operations';
import { openApiDocumentSetting } from '../helpers/settings/openapi';
import { loadSettings } from '../setup/settings';

const ROOT = path.join(__dirname, '..');
export const DEFAULT_SMOKE_SPEC = path.join(ROOT, 'tests', 'api-smoke.spec.ts');
const GENERATED_DOCUMENT = path.join(ROOT, 'api', 'generated', 'openapi.json');
const GENERATED_SCHEMAS = path.join(ROOT, 'api', 'generated', 'schemas.ts');

/** The module paths the spec imports from, relative to the spec's folder. */
export type SmokeImports = { fixtures: string; schemas: string };

export type SmokeTest = {
  /** `GET /api/v1/users/me`. */
  operation: string;
  /** The path called: the template, after the base path of the document's first server. */
  path: string;
  /** The documented success statuses it may answer. */
  statuses: number[];
  /** The generated schema its body must match; undefined when the document gives it no JSON body. */
  schema: string | undefined;
};

export type SmokeSpec = {
  text: string;
  tests: SmokeTest[];
  /** GETs without input left out, with the reason: `GET /admin/users (it documents 403 …)`. */
  leftOut: string[];
};

const DEFAULT_IMPORTS: SmokeImports = { fixtures: '../api/fixtures', schemas: '../api/generated/schemas' };

/** The smoke spec of a document: its text (not yet formatted) and the tests in it, in path order. */
export function smokeSpecOf(
  document: OpenApiDocument,
  schemasSource: string,
  imports: SmokeImports = DEFAULT_IMPORTS,
): SmokeSpec {
  const api = operationsOfDocument(document);
  const basePath = api.basePaths[0] ?? '';
  const exported = exportsOf(schemasSource);
  const components = (document.components ?? {}) as { schemas?: Record<string, unknown> };
  const schemaNames = Object.keys(components.schemas ?? {});
  const candidates = api.operations.filter((operation) => operation.method === 'GET' && !operation.needsInput);
  const leftOut = candidates.flatMap((operation) => {
    const reason = reasonToLeaveOut(operation);
    return reason ? [`GET ${operation.template} (${reason})`] : [];
  });
  const tests = candidates
    .filter((operation) => reasonToLeaveOut(operation) === undefined)
    .map((operation) => {
      const statuses = successStatuses(operation);
      // A success without a JSON body (a 204) has nothing to match: its status is the check.
      const json = statuses.some((status) =>
        Object.keys(operation.responses[String(status)] ?? {}).some((type) => /json/i.test(type)),
      );
      const schema = json
        ? exported.get(looseName(`z${contractOperationId(operation, schemaNames)}Response`))
        : undefined;
      return { operation: `GET ${operation.template}`, path: `${basePath}${operation.template}`, statuses, schema };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  return { text: specText(tests, leftOut, imports, api.title), tests, leftOut };
}

function reasonToLeaveOut(operation: DocumentedOperation): string | undefined {
  if (successStatuses(operation).length === 0) return 'it documents no success status';
  if (operation.statuses.includes('403')) return 'it documents 403: it may refuse the default role';
  const success = operation.statuses.filter((status) => /^2/.test(status)).map((s) => operation.responses[s] ?? {});
  const types = success.flatMap((content) => Object.keys(content));
  if (types.length > 0 && types.every((type) => type.startsWith('text/event-stream'))) {
    return 'it answers an event stream';
  }
  return undefined;
}

/** Generates the smoke spec of a document into `out`, formatted with the project's prettier settings. */
export async function writeSmokeSpec(input: {
  document: OpenApiDocument;
  schemasFile?: string;
  out?: string;
}): Promise<SmokeSpec> {
  const out = input.out ?? DEFAULT_SMOKE_SPEC;
  const schemasFile = input.schemasFile ?? GENERATED_SCHEMAS;
  if (!existsSync(schemasFile)) {
    throw new Error(`No generated contracts at ${schemasFile}: run npm run contracts:generate first.`);
  }
  const imports = {
    fixtures: importPath(out, path.join(ROOT, 'api', 'fixtures')),
    schemas: importPath(out, schemasFile.replace(/\.ts$/, '')),
  };
  const spec = smokeSpecOf(input.document, readFileSync(schemasFile, 'utf8'), imports);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, await format(spec.text, { ...(await resolveConfig(out)), filepath: out }));
  return spec;
}

function successStatuses(operation: DocumentedOperation): number[] {
  const explicit = operation.statuses.filter((status) => /^2\d\d$/.test(status)).map(Number);
  if (explicit.length > 0) return explicit;
  return operation.statuses.some((status) => /^2XX$/i.test(status) || status === 'default') ? [200] : [];
}

function exportsOf(source: string): Map<string, string> {
  const names = [...source.matchAll(/^export const (\w+)/gm)].map((match) => match[1]!);
  return new Map(names.map((name) => [looseName(name), name]));
}

function specText(
  tests: readonly SmokeTest[],
  leftOut: readonly string[],
  imports: SmokeImports,
  title: string | undefined,
): string {
  const schemas = [...new Set(tests.flatMap((test) => (test.schema ? [test.schema] : [])))].sort();
  const header = [
    `// Generated by \`npm run smoke:generate\` from the OpenAPI document${title ? ` of ${title}` : ''}: regenerate, do not edit.`,
    '// One test per GET that needs no input, as the default role: a documented success status, and a body that',
    '// matches the generated contract. Your own flows go in specs of their own.',
    ...(leftOut.length > 0 ? ['// Left out:', ...leftOut.map((operation) => `// - ${operation}`)] : []),
  ];
  const body = tests.map((test) => {
    const status = test.statuses.length === 1 ? String(test.statuses[0]) : `[${test.statuses.join(', ')}]`;
    return [
      `test(${JSON.stringify(`${test.operation} answers as documented`)}, async ({ api }) => {`,
      `  const response = await api.get(${JSON.stringify(test.path)});`,
      `  await expect(response).toHaveStatus(${status});`,
      ...(test.schema ? [`  await expect(response).toMatchSchema(${test.schema});`] : []),
      '});',
    ].join('\n');
  });
  return [
    ...header,
    '',
    `import { expect, test } from ${JSON.stringify(imports.fixtures)};`,
    ...(schemas.length > 0 ? [`import { ${schemas.join(', ')} } from ${JSON.stringify(imports.schemas)};`] : []),
    '',
    ...(tests.length > 0
      ? body.join('\n\n').split('\n')
      : [
          "test('the document has a GET that needs no input', () => {",
          "  test.skip(true, 'none in the document: nothing to smoke-test without input');",
          '});',
        ]),
    '',
  ].join('\n');
}

function importPath(from: string, to: string): string {
  const relative = path.relative(path.dirname(from), to).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function flag(args: readonly string[], name: string): string | undefined {
  const at = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (at < 0) return undefined;
  const value = args[at]!.includes('=') ? args[at]!.slice(name.length + 1) : args[at + 1];
  if (!value) throw new Error(`Usage: npm run smoke:generate -- [--from <url|file>] [--out <file>]`);
  return value;
}

async function main() {
  loadSettings();
  const args = process.argv.slice(2);
  const fallback = existsSync(GENERATED_DOCUMENT) ? GENERATED_DOCUMENT : undefined;
  const source = flag(args, '--from') ?? openApiDocumentSetting(readEnv()) ?? fallback;
  if (!source) throw new Error('No OpenAPI document: set OPENAPI_DOCUMENT, pass --from, or run contracts:generate.');
  const { document } = await readOpenApiDocument(source);
  const out = path.resolve(flag(args, '--out') ?? DEFAULT_SMOKE_SPEC);
  const spec = await writeSmokeSpec({ document, out });
  console.log(`Wrote ${spec.tests.length} smoke tests to ${path.relative(process.cwd(), out)}.`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof EnvError ? 2 : 1);
  });
}
