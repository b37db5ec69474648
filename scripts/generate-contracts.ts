// Turns an OpenAPI document (3.0, 3.1, or Swagger 2.0 upgraded to 3.0) into zod 4 schemas in api/generated/
// (docs/contracts.md).
// Usage: npm run contracts:generate [-- --from <url|file>]
// The document: --from, else the OPENAPI_DOCUMENT setting, else the embedded demo API's own, built in process.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { EnvError, readEnv } from '../helpers/env';
import { type OpenApiDocument, readOpenApiDocument } from '../helpers/openapi/document';
import { contractOperationId } from '../helpers/openapi/names';
import { openApiDocumentSetting } from '../helpers/settings/openapi';
import { loadSettings } from '../setup/settings';

export const GENERATED_DIR = path.join(__dirname, '..', 'api', 'generated');
/** The document the schemas were generated from; the API summary reads its operations too. */
export const DOCUMENT_FILE = 'openapi.json';
export const SCHEMAS_FILE = 'schemas.ts';

const EMBEDDED_API_APP = path.join(__dirname, '..', 'demo-api', 'app.ts');

const HEADER = [
  `// Generated from ${DOCUMENT_FILE} beside this file by \`npm run contracts:generate\`: do not edit.`,
  '// Regenerate after the API changes, and commit it with the specs it breaks (docs/contracts.md).',
];

export type { OpenApiDocument };
export type GeneratedFile = { name: string; body: string };

/** Reads a document from an http(s) URL or a JSON or YAML file, in OpenAPI 3 (a 2.0 one upgraded). */
export async function readDocument(source: string): Promise<OpenApiDocument> {
  return (await readOpenApiDocument(source)).document;
}

type EmbeddedApi = {
  buildApp: (config: unknown) => { ready(): PromiseLike<unknown>; swagger(): unknown; close(): PromiseLike<unknown> };
};
type EmbeddedConfig = { parseDemoConfig: (source: Record<string, string>) => unknown };

/**
 * The embedded API's document, built in process with its default settings (settings of this machine
 * would otherwise leak into descriptions), or undefined once the embedded API has been removed.
 */
export async function embeddedDocument(): Promise<OpenApiDocument | undefined> {
  if (!existsSync(EMBEDDED_API_APP)) return undefined;
  // Loaded by a path computed at run time: this script keeps working, and type-checking, without demo-api/.
  const load = createRequire(__filename);
  const { buildApp } = load(EMBEDDED_API_APP) as EmbeddedApi;
  const { parseDemoConfig } = load(path.join(path.dirname(EMBEDDED_API_APP), 'config.ts')) as EmbeddedConfig;
  const app = buildApp(parseDemoConfig({}));
  try {
    await app.ready();
    return structuredClone(app.swagger()) as OpenApiDocument;
  } finally {
    await app.close();
  }
}

/** The files of api/generated/ for a document: the document itself and its zod schemas, prettier-formatted. */
export async function generatedFiles(document: OpenApiDocument): Promise<GeneratedFile[]> {
  const { createClient } = await import('@hey-api/openapi-ts');
  const work = mkdtempSync(path.join(tmpdir(), 'contracts-'));
  try {
    await createClient({
      input: namedForTheGenerator(document),
      output: { path: work, header: HEADER, entryFile: false, clean: true },
      plugins: [
        {
          name: 'zod',
          // Like the hand-written contracts: any RFC 3339 timestamp, Z or an offset.
          dates: { offset: true },
          definitions: true,
          requests: true,
          responses: true,
        },
      ],
      logs: { level: 'silent' },
    });
    const schemas = readFileSync(path.join(work, 'zod.gen.ts'), 'utf8');
    return [
      { name: DOCUMENT_FILE, body: await formatted(DOCUMENT_FILE, JSON.stringify(document, null, 2)) },
      { name: SCHEMAS_FILE, body: await formatted(SCHEMAS_FILE, schemas) },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// Components that the generator would name like schemas: a parameter `thing_id` and a schema `ThingId`
// would both be `zThingId`, one of them with a numeric suffix. Inlined where used, they get no name.
const INLINED_COMPONENTS = ['parameters', 'requestBodies', 'responses', 'headers'];

/**
 * The document as the generator gets it (the one written to openapi.json stays as read): components
 * other than schemas inlined, and every operation given the id contractOperationId names it by,
 * so that every name in schemas.ts comes from the document and the naming rule of
 * docs/contracts.md, never from a collision.
 */
export function namedForTheGenerator(document: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(document);
  const components = (copy.components ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const inline = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) return value.map((item) => inline(item, depth));
    if (typeof value !== 'object' || value === null) return value;
    const ref = (value as { $ref?: unknown }).$ref;
    const match = typeof ref === 'string' ? /^#\/components\/(\w+)\/(.+)$/.exec(ref) : null;
    if (match && INLINED_COMPONENTS.includes(match[1]!) && depth < 20) {
      const target = components[match[1]!]?.[match[2]!.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (target !== undefined) return inline(target, depth + 1);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inline(item, depth)]));
  };
  const paths = inline(copy.paths ?? {}, 0) as Record<string, Record<string, Record<string, unknown>>>;
  const schemaNames = Object.keys(components.schemas ?? {});
  for (const [template, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || typeof operation !== 'object' || operation === null) continue;
      const operationId = typeof operation.operationId === 'string' ? operation.operationId : undefined;
      operation.operationId = contractOperationId({ method, template, operationId }, schemaNames);
    }
  }
  for (const kind of INLINED_COMPONENTS) delete components[kind];
  return { ...copy, paths };
}

/** Replaces the folder's files with these; files it held that are no longer generated go. */
export function writeGeneratedFiles(files: readonly GeneratedFile[], dir = GENERATED_DIR): void {
  mkdirSync(dir, { recursive: true });
  const names = new Set(files.map((file) => file.name));
  for (const stale of readdirSync(dir).filter((name) => !names.has(name))) rmSync(path.join(dir, stale));
  for (const file of files) writeFileSync(path.join(dir, file.name), file.body);
}

// Formatted as if it were already in api/generated/, so that the project's prettier settings apply.
async function formatted(name: string, text: string): Promise<string> {
  const filepath = path.join(GENERATED_DIR, name);
  return format(text, { ...(await resolveConfig(filepath)), filepath });
}

function fromFlag(args: readonly string[]): string | undefined {
  const at = args.findIndex((arg) => arg === '--from' || arg.startsWith('--from='));
  if (at < 0) return undefined;
  const value = args[at]!.includes('=') ? args[at]!.slice('--from='.length) : args[at + 1];
  if (!value) throw new Error('Usage: npm run contracts:generate -- --from <url|file>');
  return value;
}

async function main() {
  loadSettings();
  const source = fromFlag(process.argv.slice(2)) ?? openApiDocumentSetting(readEnv());
  const document = source === undefined ? await embeddedDocument() : await readDocument(source);
  if (!document) {
    throw new Error('No OpenAPI document: set OPENAPI_DOCUMENT (a URL or a file) or pass --from <url|file>.');
  }
  const files = await generatedFiles(document);
  writeGeneratedFiles(files);
  const from = source ?? 'the embedded demo API';
  console.log(`Generated ${files.map((file) => file.name).join(' and ')} in api/generated/ from ${from}.`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof EnvError || error instanceof Error ? error.message : error);
    process.exit(error instanceof EnvError ? 2 : 1);
  });
}
