import diff from 'microdiff';
import { formatPath, pathMatcher } from './paths';

/** How one endpoint's responses are compared. Paths use the patterns of `pathMatcher`. */
export type CompareRules = {
  /** Values that legitimately change (timestamps, generated ids): a changed value is not a difference,
   *  a field that appears or disappears still is. */
  ignore?: readonly string[];
  /** Arrays whose order means nothing: compared as multisets. */
  unordered?: readonly string[];
  /** Numbers that may differ by up to this much. */
  tolerance?: Readonly<Record<string, number>>;
};

export type Difference = {
  path: string;
  kind: 'changed' | 'added' | 'removed';
  baseline: unknown;
  candidate: unknown;
};

export type ComparedResponse = { status: number; body: unknown };

/** The differences between two responses that the rules do not explain. */
export function compareResponses(
  baseline: ComparedResponse,
  candidate: ComparedResponse,
  rules: CompareRules = {},
): Difference[] {
  const differences: Difference[] = [];
  if (baseline.status !== candidate.status) {
    differences.push({ path: '(status)', kind: 'changed', baseline: baseline.status, candidate: candidate.status });
  }
  const ignored = pathMatcher(rules.ignore ?? []);
  const unordered = pathMatcher(rules.unordered ?? []);
  const canonical = (value: unknown) => sortUnorderedArrays(value, [], unordered, ignored);
  const left = { body: canonical(baseline.body) };
  const right = { body: canonical(candidate.body) };
  for (const change of diff(left, right)) {
    const path = formatPath(change.path.slice(1));
    const kind = change.type === 'CHANGE' ? 'changed' : change.type === 'CREATE' ? 'added' : 'removed';
    const before: unknown = change.type === 'CREATE' ? undefined : change.oldValue;
    const after: unknown = change.type === 'REMOVE' ? undefined : change.value;
    // An ignored field may change, and so may anything inside it, but it must still be there:
    // the field itself appearing or vanishing is reported.
    if (kind === 'changed' && ignored(path)) continue;
    if (kind !== 'changed' && ignored(parentOf(path))) continue;
    if (kind === 'changed' && withinTolerance(path, before, after, rules.tolerance ?? {})) continue;
    differences.push({ path: path === '' ? '(body)' : path, kind, baseline: before, candidate: after });
  }
  return differences;
}

/** Differences that are not noise: noise is whatever differs between two baselines at the same paths. */
export function withoutNoise(differences: readonly Difference[], noise: readonly Difference[]): Difference[] {
  const noisy = noise.map((difference) => difference.path);
  const isNoise = (path: string) =>
    noisy.some(
      (noisyPath) => path === noisyPath || path.startsWith(`${noisyPath}.`) || path.startsWith(`${noisyPath}[`),
    );
  return differences.filter((difference) => !isNoise(difference.path));
}

/** The path one level up: `a.b[2]` → `a.b`, `a.b` → `a`, `a` → `` (which nothing matches). */
function parentOf(path: string): string {
  return path.replace(/(\.?[^.[\]]+|\[\d+\])$/, '');
}

function withinTolerance(path: string, before: unknown, after: unknown, tolerance: Readonly<Record<string, number>>) {
  if (typeof before !== 'number' || typeof after !== 'number') return false;
  return Object.entries(tolerance).some(
    ([pattern, allowed]) => pathMatcher([pattern])(path) && Math.abs(before - after) <= allowed,
  );
}

function sortUnorderedArrays(
  value: unknown,
  path: Array<string | number>,
  unordered: (path: string) => boolean,
  ignored: (path: string) => boolean,
): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item, index) => sortUnorderedArrays(item, [...path, index], unordered, ignored));
    if (!unordered(formatPath(path))) return items;
    // Ordered by their content without the ignored fields, which differ between environments.
    const key = (item: unknown) => JSON.stringify(stripIgnored(item, [...path, 0], ignored));
    return [...items].sort((a, b) => key(a).localeCompare(key(b)));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, sortUnorderedArrays(item, [...path, key], unordered, ignored)]),
    );
  }
  return value;
}

function stripIgnored(value: unknown, path: Array<string | number>, ignored: (path: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((item, index) => stripIgnored(item, [...path, index], ignored));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !ignored(formatPath([...path, key])))
        .map(([key, item]) => [key, stripIgnored(item, [...path, key], ignored)]),
    );
  }
  return value;
}
