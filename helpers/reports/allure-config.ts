import { pathToFileURL } from 'node:url';
import type { RuleSet } from './gate-rules';
import { LABELS } from './test-labels';

// The scripts run Allure with the project's allurerc.mjs and a few settings of their own: the
// environments the results were run in, and for the gate its rules and history. Allure's CLI takes
// them only from a config file; this writes one that extends allurerc.mjs.

export type ConfigAdditions = {
  /** Names of API_ENV found in the results: one Allure environment each, by the `environment` label. */
  environments: readonly string[];
  /** Allure config keys to replace: historyPath, appendHistory, output. */
  overrides?: Record<string, unknown>;
  /** Quality-gate rule sets to add to allurerc.mjs's own. */
  rules?: readonly RuleSet[];
};

/** The text of an ES module config: allurerc.mjs with the additions. */
export function allureConfigModule(
  baseConfigFile: string,
  { environments, overrides = {}, rules = [] }: ConfigAdditions,
) {
  return `import base from ${JSON.stringify(pathToFileURL(baseConfigFile).href)};

const environments = ${JSON.stringify(environments)};

export default {
  ...base,
  ...${JSON.stringify(overrides)},
  environments: {
    ...Object.fromEntries(
      environments.map((name) => [
        name,
        { matcher: ({ labels }) => labels.some((label) => label.name === ${JSON.stringify(LABELS.environment)} && label.value === name) },
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
