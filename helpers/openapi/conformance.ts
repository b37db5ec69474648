import { z } from 'zod';
import type { ExchangeReporter } from '../http/client';
import { Redactor } from '../secrets/redactor';
import type { OpenApiDocument } from './document';
import { matchOperation } from './match';
import { type ApiDocument, type DocumentedOperation, operationsOfDocument } from './operations';

// Every response the client fixtures receive, checked against the operation its document gives it
// (docs/contracts.md, "Conformance"): an operation the document has, a status it documents, and a body
// that matches the schema of that status and content type. What to do with a finding is the caller's.

/** What a response did that its document does not allow. */
export type Nonconformity = {
  /** The documented operation (`GET /tasks/{taskId}`), or the request's method and path when there is none. */
  operation: string;
  method: string;
  /** The request's path, query included, redacted. */
  path: string;
  status: number;
  kind: 'undocumented operation' | 'undocumented status' | 'undocumented content type' | 'body';
  /** One line: what is wrong, the first field of a body among it. */
  summary: string;
  /** The whole explanation: for a body, zod's issues with their paths, then the body (redacted). */
  explanation: string;
};

/** A response as the check needs it; an Exchange of the client has it. */
export type CheckedResponse = {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  /** The body as text (the client's placeholder for a binary body is not checked). */
  body: string;
};

export class ConformanceError extends Error {
  override name = 'ConformanceError';
}

export type ConformanceChecker = {
  readonly api: ApiDocument;
  /** The response's nonconformity, or undefined when the document allows it. */
  check(response: CheckedResponse): Nonconformity | undefined;
};

const NO_SCHEMA = Symbol('no schema');

/**
 * A checker for a document. Each operation's schema for a status and media type is turned into a zod
 * schema (z.fromJSONSchema) the first time a response needs it, then reused.
 */
export function conformanceChecker(document: OpenApiDocument, redactor: Redactor = new Redactor()): ConformanceChecker {
  const api = operationsOfDocument(document);
  const openapi31 = document.openapi.startsWith('3.1');
  const definitions = definitionsOf(document, openapi31);
  const compiled = new Map<string, z.ZodType | typeof NO_SCHEMA>();

  const schemaFor = (operation: DocumentedOperation, status: string, mediaType: string) => {
    const key = `${operation.method} ${operation.template} ${status} ${mediaType}`;
    let schema = compiled.get(key);
    if (schema === undefined) {
      const source = operation.responses[status]?.[mediaType];
      schema = source === undefined ? NO_SCHEMA : compile(source, definitions, openapi31);
      compiled.set(key, schema);
    }
    return schema;
  };

  const check = (response: CheckedResponse): Nonconformity | undefined => {
    const path = redactor.text(response.path);
    const found = (operation: string, kind: Nonconformity['kind'], summary: string, explanation = summary) => ({
      operation,
      method: response.method,
      path,
      status: response.status,
      kind,
      summary: `${operation} answered ${response.status}: ${summary}`,
      explanation: `${operation} answered ${response.status} (${response.method} ${path}): ${explanation}`,
    });
    const operation = matchOperation(api, response.method, response.path);
    if (!operation) {
      return found(
        `${response.method} ${path.replace(/[?#].*$/, '')}`,
        'undocumented operation',
        'the document has no such operation',
      );
    }
    const name = `${operation.method} ${operation.template}`;
    const status = documentedStatus(operation, response.status);
    if (status === undefined) {
      return found(
        name,
        'undocumented status',
        `the document lists ${operation.statuses.join(', ') || 'no status'} for it`,
      );
    }
    const content = operation.responses[status] ?? {};
    if (response.body === '' || Object.keys(content).length === 0) return undefined;
    const type = (headerOf(response.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const mediaType = documentedMediaType(Object.keys(content), type);
    if (mediaType === undefined) {
      return found(
        name,
        'undocumented content type',
        `${type || 'no content type'} is not among ${Object.keys(content).join(', ')}`,
      );
    }
    if (!isJson(type) || /^<\d+ bytes of /.test(response.body)) return undefined;
    const schema = schemaFor(operation, status, mediaType);
    if (schema === NO_SCHEMA) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return found(
        name,
        'body',
        `its ${type} body is not JSON`,
        `its ${type} body is not JSON.\n\nBody:\n${redactor.body(response.body, 2_000)}`,
      );
    }
    const result = schema.safeParse(body);
    if (result.success) return undefined;
    const first = result.error.issues[0];
    const at = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    return found(
      name,
      'body',
      `the body does not match the documented schema (${redactor.text(first?.message ?? 'invalid')}${at})`,
      `the body does not match its documented schema (${mediaType}):\n${redactor.text(z.prettifyError(result.error))}\n\nBody:\n${redactor.body(JSON.stringify(body))}`,
    );
  };

  return { api, check };
}

/**
 * An exchange reporter that checks each answer after `report` has reported it, and hands what does not
 * conform to `found`. A call made with `conformance: false`, a stream's opening and a call without an
 * answer are not checked.
 */
export function checkingConformance(
  report: ExchangeReporter,
  checker: ConformanceChecker,
  found: (nonconformity: Nonconformity) => Promise<void>,
): ExchangeReporter {
  return async (start, send) => {
    const exchange = await report(start, send);
    if (start.conformance === false || exchange.channel || !exchange.response) return exchange;
    const nonconformity = checker.check({ method: exchange.method, path: exchange.path, ...exchange.response });
    if (nonconformity) await found(nonconformity);
    return exchange;
  };
}

function documentedStatus(operation: DocumentedOperation, status: number): string | undefined {
  const exact = String(status);
  const range = `${exact[0]}XX`;
  return (
    operation.statuses.find((key) => key === exact) ??
    operation.statuses.find((key) => key.toUpperCase() === range) ??
    (operation.statuses.includes('default') ? 'default' : undefined)
  );
}

function documentedMediaType(documented: readonly string[], type: string): string | undefined {
  const bare = (key: string) => key.split(';')[0]!.trim().toLowerCase();
  return (
    documented.find((key) => bare(key) === type) ??
    documented.find((key) => bare(key) === `${type.split('/')[0]}/*`) ??
    documented.find((key) => bare(key) === '*/*')
  );
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

type Json = Record<string, unknown>;

// The document's component schemas where z.fromJSONSchema looks for local references: `$defs` for a 3.1
// document (JSON Schema 2020-12), `definitions` for 3.0; every `#/components/schemas/` ref rewritten.
function definitionsOf(document: OpenApiDocument, openapi31: boolean): Json {
  const components = (document.components ?? {}) as { schemas?: Json };
  return rewriteRefs(components.schemas ?? {}, openapi31) as Json;
}

function compile(source: unknown, definitions: Json, openapi31: boolean): z.ZodType | typeof NO_SCHEMA {
  if (typeof source !== 'object' || source === null) return NO_SCHEMA;
  const rewritten = rewriteRefs(source, openapi31) as Json;
  const schema = { ...rewritten, [openapi31 ? '$defs' : 'definitions']: reachable(rewritten, definitions) };
  try {
    return z.fromJSONSchema(schema, { defaultTarget: openapi31 ? 'draft-2020-12' : 'openapi-3.0' });
  } catch {
    return NO_SCHEMA; // a construct zod cannot express: that body goes unchecked rather than misjudged
  }
}

// Only the definitions the schema refers to, directly or not: a large document's others cost nothing.
function reachable(schema: Json, definitions: Json): Json {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      const name =
        key === '$ref' && typeof item === 'string' ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(item)?.[1] : undefined;
      if (name !== undefined && !names.has(name) && name in definitions) {
        names.add(name);
        visit(definitions[name]);
      } else visit(item);
    }
  };
  visit(schema);
  return Object.fromEntries([...names].map((name) => [name, definitions[name]]));
}

function rewriteRefs(value: unknown, openapi31: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, openapi31));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string' && item.startsWith('#/components/schemas/')
        ? `#/${openapi31 ? '$defs' : 'definitions'}/${item.slice('#/components/schemas/'.length)}`
        : rewriteRefs(item, openapi31),
    ]),
  );
}
