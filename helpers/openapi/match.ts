/** What matching needs of a document (an ApiDocument has it): its base paths and its operations' templates. */
export type Templates<O extends { method: string; template: string }> = {
  basePaths: readonly string[];
  operations: readonly O[];
};

type Compiled = { operation: { method: string; template: string }; pattern: RegExp; literalSegments: number };

// Each document's templates are compiled once: a run matches every call against them.
const compiledDocuments = new WeakMap<object, Compiled[]>();

/**
 * The documented operation a request belongs to: the method's templates that match the path without
 * its query (or the path without a server's base path); of several, the one with the most literal
 * segments (`/users/me` before `/users/{userId}`).
 */
export function matchOperation<O extends { method: string; template: string }>(
  document: Templates<O>,
  method: string,
  path: string,
): O | undefined {
  const requested = pathOnly(path);
  const candidates = [
    requested,
    ...document.basePaths
      .filter((base) => requested.startsWith(`${base}/`))
      .map((base) => requested.slice(base.length)),
  ];
  const upper = method.toUpperCase();
  let best: Compiled | undefined;
  for (const compiled of compiledOf(document)) {
    if (compiled.operation.method !== upper || !candidates.some((candidate) => compiled.pattern.test(candidate))) {
      continue;
    }
    if (
      !best ||
      compiled.literalSegments > best.literalSegments ||
      (compiled.literalSegments === best.literalSegments &&
        compiled.operation.template.localeCompare(best.operation.template) < 0)
    ) {
      best = compiled;
    }
  }
  return best?.operation as O | undefined;
}

/** A path without its query or fragment: `/tasks/1?x=2` → `/tasks/1`. */
export function pathOnly(path: string): string {
  return path.replace(/[?#].*$/, '') || '/';
}

function compiledOf(document: Templates<{ method: string; template: string }>): Compiled[] {
  let compiled = compiledDocuments.get(document);
  if (!compiled) {
    compiled = document.operations.map((operation) => ({
      operation,
      pattern: templatePattern(operation.template),
      literalSegments: operation.template.split('/').filter((part) => !part.includes('{')).length,
    }));
    compiledDocuments.set(document, compiled);
  }
  return compiled;
}

function templatePattern(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)));
  return new RegExp(`^${parts.join('')}/?$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
