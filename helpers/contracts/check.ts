import { z } from 'zod';
import { Redactor } from '../secrets/redactor';

/** What a contract check needs of a response; Playwright's APIResponse has it. */
export type ResponseLike = {
  status(): number;
  url(): string;
  text(): Promise<string>;
};

export class ContractError extends Error {
  override name = 'ContractError';
}

export type ContractCheck<T> = { success: true; data: T } | { success: false; explanation: string };

/** Checks a parsed body against a schema; a failure explains itself with zod's own words and the body. */
export function checkContract<S extends z.ZodType>(
  schema: S,
  body: unknown,
  redactor: Redactor = new Redactor(),
): ContractCheck<z.infer<S>> {
  const result = schema.safeParse(body);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    explanation: `${z.prettifyError(result.error)}\n\nBody:\n${redactor.body(JSON.stringify(body))}`,
  };
}

/** Reads a JSON response and returns it typed by the schema, or throws a ContractError that shows why not. */
export async function parse<S extends z.ZodType>(
  response: ResponseLike,
  schema: S,
  redactor: Redactor = new Redactor(),
): Promise<z.infer<S>> {
  const text = await response.text();
  const where = `${new URL(response.url()).pathname} (HTTP ${response.status()})`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ContractError(`Contract violation: ${where} is not JSON.\n\nBody:\n${redactor.body(text, 2_000)}`);
  }
  const check = checkContract(schema, body, redactor);
  if (check.success) return check.data;
  throw new ContractError(`Contract violation: ${where} does not match the schema.\n${check.explanation}`);
}
