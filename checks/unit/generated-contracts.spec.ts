import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEnv } from '../../helpers/env';
import { openApiDocumentSetting } from '../../helpers/settings/openapi';
import {
  DOCUMENT_FILE,
  GENERATED_DIR,
  type OpenApiDocument,
  embeddedDocument,
  generatedFiles,
  readDocument,
  writeGeneratedFiles,
} from '../../scripts/generate-contracts';
import { expect, test } from '../../fixtures';

// api/generated/ is committed: these fail when it no longer is what `npm run contracts:generate` makes.

const FIX = 'run `npm run contracts:generate` and commit api/generated/';

/** The files of api/generated/ that differ from a fresh generation of the document, missing or extra ones included. */
async function staleFiles(document: OpenApiDocument): Promise<string[]> {
  const fresh = mkdtempSync(path.join(tmpdir(), 'generated-'));
  try {
    writeGeneratedFiles(await generatedFiles(document), fresh);
    const names = new Set([...readdirSync(fresh), ...(existsSync(GENERATED_DIR) ? readdirSync(GENERATED_DIR) : [])]);
    const text = (dir: string, name: string) =>
      existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : undefined;
    return [...names].filter((name) => text(fresh, name) !== text(GENERATED_DIR, name)).sort();
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

test('the generated schemas are what the generator makes of the committed document', async () => {
  test.skip(!existsSync(GENERATED_DIR), 'nothing generated yet: no api/generated/');
  const committed = path.join(GENERATED_DIR, DOCUMENT_FILE);
  expect(existsSync(committed), `api/generated/${DOCUMENT_FILE} is missing: ${FIX}`).toBe(true);
  expect(await staleFiles(await readDocument(committed)), FIX).toEqual([]);
});

/** The API's document now: OPENAPI_DOCUMENT when it is a file, else the embedded API's, if it is here. */
async function currentDocument(): Promise<{ document?: OpenApiDocument; skipReason?: string }> {
  const source = openApiDocumentSetting(readEnv());
  if (source !== undefined && /^https?:/i.test(source)) {
    return { skipReason: 'OPENAPI_DOCUMENT is a URL: unit checks ask no server' };
  }
  const document = source === undefined ? await embeddedDocument() : await readDocument(source);
  return document ? { document } : { skipReason: 'no document to compare with: set OPENAPI_DOCUMENT to a file' };
}

test('the committed document is the API’s current one', async () => {
  test.skip(!existsSync(GENERATED_DIR), 'nothing generated yet: no api/generated/');
  const { document, skipReason } = await currentDocument();
  test.skip(document === undefined, skipReason);
  expect(await staleFiles(document!), `${FIX} (the document changed)`).toEqual([]);
});
