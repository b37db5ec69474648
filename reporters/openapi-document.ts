import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Env, EnvError } from '../helpers/env';
import {
  type ApiDocument,
  openApiDocumentSetting,
  operationsOfDocument,
  parseOpenApiText,
} from '../helpers/reports/api-summary';

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

/** The document's operations; without one, or when it cannot be read, operations go by the template rule. */
async function loadApiDocument(
  source: string | undefined,
  reader: string,
): Promise<{ source: string; api: ApiDocument } | undefined> {
  if (source === undefined) return undefined;
  try {
    const text = /^https?:\/\//i.test(source) ? await fetchText(source) : readFileSync(path.resolve(source), 'utf8');
    return { source, api: operationsOfDocument(parseOpenApiText(text, source)) };
  } catch (error) {
    console.warn(`${reader}: could not read the OpenAPI document ${source} (${(error as Error).message}).`);
    return undefined;
  }
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}
