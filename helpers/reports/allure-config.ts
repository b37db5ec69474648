import { pathToFileURL } from 'node:url';
import type { RuleSet } from './gate-rules';
import { LABELS } from './test-labels';

// The scripts run Allure with the project's allurerc.mjs and a few settings of their own: the
// environments the results were run in, and for the gate its rules and history. Allure's CLI takes
// them only from a config file; this writes one that extends allurerc.mjs.

export type ConfigAdditions = {
  /** Names of API_ENV found in the results: one Allure environment each, by the `environment` label. */
  environments: readonly string[];
  /** Per environment, what its run showed in the report's environment block (its environment.properties). */
  variables?: Record<string, Record<string, string>>;
  /** Allure config keys to replace: historyPath, appendHistory, output. */
  overrides?: Record<string, unknown>;
  /** Quality-gate rule sets to add to allurerc.mjs's own. */
  rules?: readonly RuleSet[];
  /** Only this plugin of allurerc.mjs (one view of the report), not all of them. */
  plugin?: string;
};

/** The text of an ES module config: allurerc.mjs with the additions. */
export function allureConfigModule(
  baseConfigFile: string,
  { environments, variables = {}, overrides = {}, rules = [], plugin }: ConfigAdditions,
) {
  const plugins =
    plugin === undefined ? 'base.plugins' : `{ ${JSON.stringify(plugin)}: base.plugins[${JSON.stringify(plugin)}] }`;
  return `import base from ${JSON.stringify(pathToFileURL(baseConfigFile).href)};

const environments = ${JSON.stringify(environments)};
const variables = ${JSON.stringify(variables)};

export default {
  ...base,
  ...${JSON.stringify(overrides)},
  plugins: ${plugins},
  environments: {
    ...Object.fromEntries(
      environments.map((name) => [
        name,
        {
          matcher: ({ labels }) => labels.some((label) => label.name === ${JSON.stringify(LABELS.environment)} && label.value === name),
          variables: variables[name] ?? {},
        },
      ]),
    ),
    ...base.environments,
  },
  qualityGate: { ...base.qualityGate, rules: [...(base.qualityGate?.rules ?? []), ...${JSON.stringify(rules)}] },
};
`;
}

/** The environments of some test results: the values of their `environment` labels, each once. */
export function environmentsOf(results: ReadonlyArray<{ labels?: ReadonlyArray<{ name: string; value?: string }> }>) {
  const names = results.flatMap((result) =>
    (result.labels ?? []).flatMap((label) => (label.name === LABELS.environment && label.value ? [label.value] : [])),
  );
  return [...new Set(names)].sort();
}

/** The entries of a Java properties file as Allure's reporters write environment.properties. */
export function parseProperties(text: string): Record<string, string> {
  const entries = text.split(/\r?\n/).flatMap((line) => {
    if (/^\s*([#!]|$)/.test(line)) return [];
    const separator = /(?<!\\)[=:]/.exec(line);
    if (!separator) return [];
    const unescape = (part: string) => part.trim().replace(/\\(.)/g, '$1');
    return [[unescape(line.slice(0, separator.index)), unescape(line.slice(separator.index + 1))] as const];
  });
  return Object.fromEntries(entries);
}

/** A Java properties file of some entries, as parseProperties reads it back. */
export function stringifyProperties(entries: Record<string, string>): string {
  const escape = (text: string, key: boolean) =>
    text.replace(key ? /[\\=: ]/g : /[\\]/g, (char) => `\\${char}`).replace(/\n/g, '\\n');
  return Object.entries(entries)
    .map(([key, value]) => `${escape(key, true)}=${escape(value, false)}\n`)
    .join('');
}

/** The file a run of an environment keeps its environment block in (Allure reads environment.properties for all). */
export function environmentInfoFile(environment: string): string {
  return `environment-${environment}.properties`;
}
