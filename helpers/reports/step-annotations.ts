// How a step's report name and parameters travel from a worker to the Allure reporter.
//
// Allure's runtime API (`allure.step`, `displayName`, `parameter`) sends them from a worker as
// attachments, which Playwright's HTML report then lists as "Allure Step Metadata" beside the real
// ones. The starter sends them as annotations of the Playwright step instead: reporters read a step's
// annotations, and Playwright's HTML report does not show them. reporters/allure.ts applies them.

export const STEP_NAME = 'allure.step.name';
export const STEP_PARAMETER = 'allure.step.parameter';

type Annotation = { type: string; description?: string };
/** What a step body is given by `test.step`: its annotations are what Playwright reports at the step's end. */
type StepInfo = object;

function annotationsOf(step: StepInfo): Annotation[] {
  const annotations = (step as { annotations?: unknown }).annotations;
  if (!Array.isArray(annotations)) {
    throw new Error(
      'This Playwright version gives a step no annotations (TestStepInfo.annotations): the report cannot name its steps.',
    );
  }
  return annotations as Annotation[];
}

/** The name the step has in the Allure report, once known (`GET /x → 200 (7 ms)`). */
export function renameStep(step: StepInfo, name: string): void {
  annotationsOf(step).push({ type: STEP_NAME, description: name });
}

/** A parameter of the step in the Allure report. */
export function addStepParameter(step: StepInfo, name: string, value: string): void {
  annotationsOf(step).push({ type: STEP_PARAMETER, description: JSON.stringify({ name, value }) });
}

export type StepDecoration = { name: string | undefined; parameters: Array<{ name: string; value: string }> };

/** What a step's annotations say of its report name and parameters: the last name wins. */
export function decorationOf(annotations: readonly Annotation[]): StepDecoration | undefined {
  let name: string | undefined;
  const parameters: StepDecoration['parameters'] = [];
  for (const annotation of annotations) {
    if (annotation.type === STEP_NAME && annotation.description !== undefined) name = annotation.description;
    if (annotation.type === STEP_PARAMETER && annotation.description !== undefined) {
      const parameter = parameterOf(annotation.description);
      if (parameter) parameters.push(parameter);
    }
  }
  return name === undefined && parameters.length === 0 ? undefined : { name, parameters };
}

function parameterOf(description: string): { name: string; value: string } | undefined {
  try {
    const parsed = JSON.parse(description) as { name?: unknown; value?: unknown };
    return typeof parsed.name === 'string' && typeof parsed.value === 'string'
      ? { name: parsed.name, value: parsed.value }
      : undefined;
  } catch {
    return undefined;
  }
}
