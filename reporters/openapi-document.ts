import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Env, EnvError } from '../helpers/env';
import { readOpenApiDocument } from '../helpers/openapi/document';
import { type ApiDocument, operationsOfDocument } from '../helpers/openapi/operations';
import { openApiDocumentSetting } from '../helpers/settings/openapi';

const GENERATED_DOCUMENT = path.join(__dirname, '..', 'api', 'generated', 'openapi.json');

/**
 * The run's OpenAPI document: OPENAPI_DOCUMENT, else the reporter's own option, else the one api/generated/
 * was made from, if there is one. A bad setting is reported in one line, and the reporter goes on without.
 */
export function documentOfThisRun(env: Env | undefined, option: string | undefined, reader: string) {
  let setting: string | undefined;
  try {
    setting = env ? openApiDocumentSetting(env) : undefined;
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`${reader}: ${error.message} It goes on without a document.`);
    return Promise.resolve(undefined);
  }
  const fallback = existsSync(GENERATED_DOCUMENT) ? path.relative(process.cwd(), GENERATED_DOCUMENT) : undefined;
  return loadApiDocument(setting ?? option ?? fallback, reader);
}

/** The document's operations (3.0, 3.1, or 2.0 upgraded); without one, or when it cannot be read, none. */
async function loadApiDocument(
  source: string | undefined,
  reader: string,
): Promise<{ source: string; api: ApiDocument } | undefined> {
  if (source === undefined) return undefined;
  try {
    return { source, api: operationsOfDocument((await readOpenApiDocument(source)).document) };
  } catch (error) {
    console.warn(`${reader}: could not read the OpenAPI document ${source} (${(error as Error).message}).`);
    return undefined;
  }
}
