import type { DocumentedOperation } from './operations';

/**
 * The operation's id: its own `operationId`, else one made of its method and path, the way the
 * generated contracts name it (`GET /things/{thing_id}/parts` → `getThingsByThingIdParts`).
 */
export function operationIdOf(operation: Pick<DocumentedOperation, 'method' | 'template' | 'operationId'>): string {
  if (operation.operationId !== undefined) return operation.operationId;
  const words = operation.template
    .split('/')
    .filter((segment) => segment !== '')
    .flatMap((segment) => {
      const parameter = /^\{(.+)\}$/.exec(segment);
      return parameter ? ['by', ...wordsOf(parameter[1]!)] : wordsOf(segment);
    });
  return camelCase([operation.method.toLowerCase(), ...words]);
}

// What the contracts' generator adds to an operation's id; a schema named like one (`GetThingsResponse`) would clash.
const OPERATION_SUFFIXES = ['Data', 'Body', 'Path', 'Query', 'Headers', 'Response', 'Responses', 'Error', 'Errors'];

/**
 * The id the generated contracts name an operation by (`z<Id>Response`): operationIdOf, followed by
 * `Operation` when a component schema is named like one of the operation's schemas (a schema
 * `GetThingsResponse` beside `GET /things`), so that no name needs a numeric suffix.
 */
export function contractOperationId(
  operation: Pick<DocumentedOperation, 'method' | 'template' | 'operationId'>,
  schemaNames: readonly string[],
): string {
  const id = operationIdOf(operation);
  const taken = new Set(schemaNames.map(looseName));
  return OPERATION_SUFFIXES.some((suffix) => taken.has(looseName(`${id}${suffix}`))) ? `${id}Operation` : id;
}

/** `get-thing_by ID` → `getThingByID`: words joined, each after the first with a capital. */
export function camelCase(words: readonly string[]): string {
  return words
    .flatMap(wordsOf)
    .map((word, index) => (index === 0 ? word.charAt(0).toLowerCase() : word.charAt(0).toUpperCase()) + word.slice(1))
    .join('');
}

function wordsOf(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
}

/** How an identifier compares with another whatever its case and separators: `zGetThing_Response` → `zgetthingresponse`. */
export function looseName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}
