import { z } from 'zod';
import type { OpenApiDocument } from './document';

/** What the starter reads of an OpenAPI 3 document: its operations, and where its paths start. */
export type ApiDocument = {
  title: string | undefined;
  version: string | undefined;
  /** The paths of its servers (`https://api.example.com/v2` → `/v2`): a request path may start with one. */
  basePaths: string[];
  operations: DocumentedOperation[];
};

export type DocumentedOperation = {
  method: string;
  /** As the document writes it: `/tasks/{taskId}`. */
  template: string;
  operationId: string | undefined;
  /** The keys of its responses: `200`, `4XX`, `default`. */
  statuses: string[];
  /** Each response's media types and their schemas (undefined: a media type without a schema). */
  responses: Record<string, Record<string, unknown>>;
  /** Whether a call needs input: a required parameter (any path parameter) or a required body. */
  needsInput: boolean;
  /** Whether it is documented as needing no credentials (`security: []`). */
  public: boolean;
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const DocumentShape = z.object({
  openapi: z.string(),
  info: z.object({ title: z.string().optional(), version: z.string().optional() }).optional(),
  servers: z.array(z.object({ url: z.string() })).optional(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

type Json = Record<string, unknown>;

/** The operations an OpenAPI 3 document describes, with their statuses, response schemas and inputs. */
export function operationsOfDocument(document: OpenApiDocument): ApiDocument {
  const parsed = DocumentShape.safeParse(document);
  if (!parsed.success) throw new Error(`Not an OpenAPI 3 document: ${z.prettifyError(parsed.error)}`);
  const { info, servers = [], paths = {} } = parsed.data;
  const operations = Object.entries(paths).flatMap(([template, item]) =>
    HTTP_METHODS.filter((method) => isObject(item[method])).map((method) =>
      documentedOperation(document, method, template, item, item[method] as Json),
    ),
  );
  const basePaths = servers
    .map((server) => new URL(server.url, 'http://server.invalid').pathname.replace(/\/+$/, ''))
    .filter((base) => base !== '');
  return { title: info?.title, version: info?.version, basePaths: [...new Set(basePaths)], operations };
}

function documentedOperation(document: Json, method: string, template: string, item: Json, operation: Json) {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const parameters = [...arrayOf(item.parameters), ...arrayOf(operation.parameters)].map((p) => resolved(document, p));
  const body = resolved(document, operation.requestBody);
  const security = operation.security ?? document.security;
  return {
    method: method.toUpperCase(),
    template,
    operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
    statuses: Object.keys(responses).sort(),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [status, contentOf(resolved(document, response))]),
    ),
    needsInput:
      parameters.some((parameter) => parameter.required === true || parameter.in === 'path') || body.required === true,
    public: Array.isArray(security) && security.length === 0,
  };
}

function contentOf(response: Json): Record<string, unknown> {
  const content = isObject(response.content) ? response.content : {};
  return Object.fromEntries(
    Object.entries(content).map(([mediaType, media]) => [mediaType, isObject(media) ? media.schema : undefined]),
  );
}

/** A value, or what its local `$ref` (`#/components/…`) points at; `{}` for anything else. */
export function resolved(document: Json, value: unknown, depth = 0): Json {
  if (!isObject(value)) return {};
  if (typeof value.$ref !== 'string' || !value.$ref.startsWith('#/') || depth > 20) return value;
  const target = value.$ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document);
  return resolved(document, target, depth + 1);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
