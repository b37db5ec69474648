import path from 'node:path';

// The labels a test carries in the Allure report, taken from what the test already says: its spec
// file and titles, the calls its steps made and the waits they ran. The report can then be grouped and
// filtered by business flow (feature), behaviour (story), operation and role.

export type Label = { name: string; value: string };

export const LABELS = {
  feature: 'feature',
  story: 'story',
  operation: 'operation',
  role: 'role',
  failedOperation: 'failed operation',
  environment: 'environment',
} as const;

/**
 * The business flow and the behaviour: the outermost describe block, or else the spec file
 * (`tests/image-generation.spec.ts` → `image generation`: one flow per file); and the test's title.
 */
export function featureAndStory(file: string, describes: readonly string[], title: string): Label[] {
  const feature =
    describes[0] ??
    path
      .basename(file)
      .replace(/\.(spec|test|check)\.[cm]?[jt]sx?$/, '')
      .replace(/[-_.]+/g, ' ');
  return [
    { name: LABELS.feature, value: feature },
    { name: LABELS.story, value: title },
  ];
}

export type TestActivity = {
  /** The operations of its calls, in order, and the identity each one acted as (a role, `anonymous`, …). */
  calls: ReadonlyArray<{ operation: string; identity: string }>;
  /** The operations its waits awaited (`image generation`). */
  waits: readonly string[];
  /** Where a failed test failed: the operation of the failing wait or call; undefined when it passed. */
  failedOperation?: string | undefined;
};

/** An `operation` label per operation called or awaited, a `role` per identity, each once, in order of use. */
export function activityLabels({ calls, waits, failedOperation }: TestActivity): Label[] {
  const unique = (values: readonly string[]) => [...new Set(values)];
  return [
    ...unique([...waits, ...calls.map((call) => call.operation)]).map((value) => ({ name: LABELS.operation, value })),
    ...unique(calls.map((call) => call.identity)).map((value) => ({ name: LABELS.role, value })),
    ...(failedOperation === undefined ? [] : [{ name: LABELS.failedOperation, value: failedOperation }]),
  ];
}

/** Adds the labels a result does not have yet by name: a test's own annotation (`@allure.label.feature`) wins. */
export function withDefaultLabels(existing: readonly Label[], defaults: readonly Label[]): Label[] {
  const named = new Set(existing.map((label) => label.name));
  return [...existing, ...defaults.filter((label) => !named.has(label.name))];
}
