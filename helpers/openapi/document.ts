import { readFileSync } from 'node:fs';
import path from 'node:path';
import { convertObj } from 'swagger2openapi';
import { parse as parseYaml } from 'yaml';

/** An OpenAPI 3.0 or 3.1 document, as JSON. A Swagger 2.0 document is upgraded to 3.0 when read. */
export type OpenApiDocument = Record<string, unknown> & { openapi: string };

/** A document as read: where from, the version it was written in, and the document in OpenAPI 3. */
export type ReadDocument = {
  source: string;
  /** `2.0`, `3.0.3`, `3.1.0`…: the version the source is written in. */
  writtenIn: string;
  document: OpenApiDocument;
};

/** Whether a source names a URL rather than a file. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Reads an OpenAPI 3.0 or 3.1, or Swagger 2.0, document from an http(s) URL or a JSON or YAML file
 * (relative to `cwd`), and gives it in OpenAPI 3: a 2.0 document is upgraded by swagger2openapi.
 */
export async function readOpenApiDocument(source: string, cwd = process.cwd()): Promise<ReadDocument> {
  const text = isUrl(source) ? await fetchText(source) : readFile(path.resolve(cwd, source), source);
  return toOpenApi3(parseOpenApiText(text, source), source);
}

/** Parses the text of a document, JSON or YAML; throws naming the source when it is neither. */
export function parseOpenApiText(text: string, source: string): unknown {
  try {
    return /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${source} is neither JSON nor YAML: ${(error as Error).message}`, { cause: error });
  }
}

/** The document in OpenAPI 3: a 3.x one as it is, a Swagger 2.0 one upgraded to 3.0. */
export async function toOpenApi3(document: unknown, source: string): Promise<ReadDocument> {
  if (typeof document === 'object' && document !== null) {
    const { openapi, swagger } = document as { openapi?: unknown; swagger?: unknown };
    if (typeof openapi === 'string' && /^3\.[01]\./.test(openapi)) {
      return { source, writtenIn: openapi, document: document as OpenApiDocument };
    }
    if (swagger === '2.0') {
      return { source, writtenIn: '2.0', document: await upgradeSwagger2(document, source) };
    }
    const version =
      typeof openapi === 'string'
        ? `openapi ${openapi}`
        : swagger === undefined
          ? ''
          : `swagger ${JSON.stringify(swagger)}`;
    throw new Error(
      `${source} is not an OpenAPI 3.0, 3.1 or Swagger 2.0 document (${version ? `it says ${version}` : 'no "openapi" or "swagger" field'}).`,
    );
  }
  throw new Error(`${source} is not an OpenAPI document: it holds no object.`);
}

async function upgradeSwagger2(document: object, source: string): Promise<OpenApiDocument> {
  try {
    // patch: fixes small errors of the source (a missing path parameter, say) instead of refusing it;
    // resolve: false: external $refs stay as they are; nothing is fetched behind the reader's back.
    const { openapi } = await convertObj(structuredClone(document) as never, {
      patch: true,
      warnOnly: true,
      resolve: false,
    });
    return openapi as unknown as OpenApiDocument;
  } catch (error) {
    throw new Error(`${source}: its Swagger 2.0 document could not be upgraded: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function readFile(file: string, source: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new Error(`No OpenAPI document at ${source} (${reason}).`, { cause: error });
  }
}

async function fetchText(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json, application/yaml;q=0.9' },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new Error(`GET ${url} failed: ${reason}`, { cause: error });
  }
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}; expected an OpenAPI document.`);
  return response.text();
}
