import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import playwrightPackage from '@playwright/test/package.json';
import type { Suite, TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { Status, type StatusDetails, type StepResult, type TestResult as AllureTestResult } from 'allure-js-commons';
import { AllureReporter } from 'allure-playwright';
import type { ApiDocument } from '../helpers/openapi/operations';
import { decorationOf } from '../helpers/reports/step-annotations';
import { activityOf } from '../helpers/reports/test-activity';
import { LABELS, type Label, activityLabels, featureAndStory, withDefaultLabels } from '../helpers/reports/test-labels';
import { environmentInfoFile, stringifyProperties } from '../helpers/reports/allure-config';
import type { Writer } from 'allure-js-commons/sdk/reporter';
import { unflushedWriter } from './allure-writer';
import { documentOfThisRun } from './openapi-document';
import { envOfThisRun } from './run-settings';

type Options = ConstructorParameters<typeof AllureReporter>[0] & {
  /** Shown in the report's environment block together with the git commit and versions. */
  targetUrl?: string;
  /** API_ENV: every test is labelled with it, so that runs of several environments merge into one report. */
  environment?: string | undefined;
};

/**
 * allure-playwright with these additions:
 * - each run starts with an empty results folder;
 * - a test that passed only on a retry is marked flaky (Allure counts the retry, but flags nothing);
 * - environment info: target URL, git commit, Node and Playwright versions, and the environment;
 * - labels from what the test already says: feature and story from its spec file and title, the
 *   operations it called or awaited, the roles it acted as, the operation where it failed, and its
 *   environment (helpers/reports/test-labels.ts);
 * - step names and parameters sent as step annotations (helpers/reports/step-annotations.ts), so that
 *   no "Allure Step Metadata" attachment reaches Playwright's own report;
 * - readiness waits keep their attempts nested (see `view`).
 */
export default class AllureReporterForAsyncApis extends AllureReporter {
  private readonly views = new WeakMap<TestStep, TestStep>();
  private readonly resultsDir: string;
  private readonly environment: string | undefined;
  private emptied = false;
  private beginning: TestCase | undefined;
  private readonly resultUuids = new Map<string, string>();
  private readonly labelsAtEnd = new Map<string, Label[]>();
  // Allure names a step after its Playwright title and start: by them the end finds the step again.
  private readonly stepsByKey = new Map<string, TestStep[]>();
  private document: Promise<ApiDocument | undefined> = Promise.resolve(undefined);
  // Playwright does not wait for a reporter's onTestEnd: the end of the run waits for every test's.
  private readonly testsEnding: Array<Promise<void>> = [];
  private readonly environmentBlock: Record<string, string>;
  private writer: ReturnType<typeof unflushedWriter> | undefined;

  constructor({ targetUrl, environment, ...options }: Options = {}) {
    const block = Object.fromEntries(
      Object.entries({ ...environmentInfo(targetUrl, environment), ...options.environmentInfo }).map(([key, value]) => [
        key,
        value ?? '',
      ]),
    );
    super({
      ...options,
      // Allure shows one environment block for a whole report, the last run's of those merged: a run of
      // an environment keeps its own apart, and the report gives it to that environment.
      environmentInfo: environment ? undefined : block,
      listeners: [
        ...(options.listeners ?? []),
        {
          beforeTestResultStart: (result) => this.labelAtStart(result),
          beforeTestResultWrite: (result) => this.completeBeforeWrite(result),
        },
      ],
    });
    this.resultsDir = options.resultsDir ?? 'allure-results';
    this.environment = environment;
    this.environmentBlock = block;
  }

  override onBegin(suite: Suite): void {
    super.onBegin(suite);
    const runtime = (this as unknown as { allureRuntime?: { writer?: Writer } }).allureRuntime;
    if (runtime?.writer) runtime.writer = this.writer = unflushedWriter(this.resultsDir, runtime.writer);
    this.document = documentOfThisRun(envOfThisRun(), undefined, 'Allure labels').then((document) => document?.api);
  }

  override async onEnd(): Promise<void> {
    await Promise.all(this.testsEnding);
    this.stepsByKey.clear();
    await super.onEnd();
    this.writer?.flush();
    if (!this.environment || !this.emptied) return;
    mkdirSync(this.resultsDir, { recursive: true });
    writeFileSync(
      path.join(this.resultsDir, environmentInfoFile(this.environment)),
      stringifyProperties(this.environmentBlock),
    );
  }

  // allure-playwright adds to its folder, and results of an earlier run would read as retries of this
  // one: the folder is emptied when the first test begins, so that a run that stops before any test
  // (an unreachable API, say) leaves the previous results alone.
  override onTestBegin(test: TestCase): void {
    if (!this.emptied) {
      rmSync(this.resultsDir, { recursive: true, force: true });
      this.emptied = true;
    }
    this.beginning = test;
    try {
      super.onTestBegin(test);
    } finally {
      this.beginning = undefined;
    }
  }

  override onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    if (step.category === 'test.step') {
      const key = stepKey(step.title, step.startTime.getTime());
      this.stepsByKey.set(key, [...(this.stepsByKey.get(key) ?? []), step]);
    }
    super.onStepBegin(test, result, this.view(step));
  }

  override onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    if (step.category === 'test.step' && step.attachments.length > 0) this.attachToStep(test, this.view(step));
    super.onStepEnd(test, result, this.view(step));
  }

  /**
   * allure-playwright places an attachment in a step only when it came through an "Attach" step
   * (testInfo.attach); the API calls attach their request and response to their own step
   * (fixtures/exchange-reports.ts). Each is given the step to go into, as the end of the test
   * looks it up: by name, first come first served.
   */
  private attachToStep(test: TestCase, step: TestStep): void {
    const internals = this as unknown as AllureInternals;
    if (typeof internals.recordAttachmentTarget !== 'function' || !(internals.pwStepUuid instanceof WeakMap)) {
      throw new Error(
        'reporters/allure.ts: this version of allure-playwright no longer has recordAttachmentTarget and pwStepUuid; ' +
          'the attachments of API calls cannot be placed in their steps.',
      );
    }
    const stepUuid = internals.pwStepUuid.get(step);
    if (stepUuid === undefined) return;
    for (const { name } of step.attachments) internals.recordAttachmentTarget(test.id, { name, stepUuid });
  }

  override onTestEnd(test: TestCase, result: TestResult): Promise<void> {
    const ending = this.endTest(test, result);
    this.testsEnding.push(ending);
    return ending;
  }

  private async endTest(test: TestCase, result: TestResult): Promise<void> {
    const uuid = this.resultUuids.get(test.id);
    if (uuid !== undefined) {
      this.labelsAtEnd.set(uuid, activityLabels(activityOf(result, await this.document)));
      this.resultUuids.delete(test.id);
    }
    await super.onTestEnd(test, result);
    // allure-playwright keeps, for the whole run, where each attachment of a test goes (a retry of the
    // test would find its first attempt's places first), and each test's hook steps and attachment
    // tasks: 5,000 tests kept 35,000 places and every fixture step of every test.
    const internals = this as unknown as AllureInternals;
    for (const perTest of [
      internals.attachmentTargets,
      internals.beforeHooksStepsStack,
      internals.afterHooksStepsStack,
      internals.pendingAttachmentTasks,
    ])
      perTest?.delete(test.id);
  }

  private labelAtStart(result: AllureTestResult): void {
    const test = this.beginning;
    if (!test) return;
    this.resultUuids.set(test.id, result.uuid);
    const describes = test.titlePath().slice(3, -1);
    result.labels = withDefaultLabels(result.labels, [
      ...featureAndStory(path.relative(process.cwd(), test.location.file), describes, test.title),
      ...(this.environment ? [{ name: LABELS.environment, value: this.environment }] : []),
    ]);
  }

  private completeBeforeWrite(result: AllureTestResult): void {
    markPassedOnRetryAsFlaky(result);
    this.nameSteps(result.steps);
    result.labels = ownLabelsFirst(withDefaultLabels(result.labels, this.labelsAtEnd.get(result.uuid) ?? []));
    this.labelsAtEnd.delete(result.uuid);
  }

  private nameSteps(steps: StepResult[]): void {
    for (const step of steps) {
      const key = stepKey(step.name ?? '', step.start ?? 0);
      const queue = this.stepsByKey.get(key);
      const playwrightStep = queue?.shift();
      if (queue?.length === 0) this.stepsByKey.delete(key);
      const decoration = playwrightStep && decorationOf(playwrightStep.annotations);
      if (decoration?.name !== undefined) step.name = decoration.name;
      if (decoration) step.parameters.push(...decoration.parameters);
      this.nameSteps(step.steps);
    }
  }

  /**
   * With `detail: false` allure-playwright drops expect steps, and with them the link between an
   * expect.poll and the steps run inside it: a wait's attempts would float to the top of the test.
   * It is shown each step with its nearest ancestor that is not an expect step instead.
   */
  private view(step: TestStep): TestStep {
    let view = this.views.get(step);
    if (!view) {
      const parentOf = (child: TestStep) => {
        let parent = child.parent;
        while (parent?.category === 'expect') parent = parent.parent;
        return parent && this.view(parent);
      };
      view = new Proxy(step, {
        get: (target, property, receiver) =>
          property === 'parent' ? parentOf(target) : (Reflect.get(target, property, receiver) as unknown),
      });
      this.views.set(step, view);
    }
    return view;
  }
}

// What attachToStep uses of allure-playwright's own state (3.x).
type AllureInternals = {
  recordAttachmentTarget?: (testId: string, target: { name: string; stepUuid: string }) => void;
  pwStepUuid?: WeakMap<TestStep, string>;
  attachmentTargets?: Map<string, unknown[]>;
  beforeHooksStepsStack?: Map<string, unknown>;
  afterHooksStepsStack?: Map<string, unknown>;
  pendingAttachmentTasks?: Map<string, unknown[]>;
};

// The report shows a test's first few labels: the starter's go before language, framework and the like.
function ownLabelsFirst(labels: Label[]): Label[] {
  const order: readonly string[] = Object.values(LABELS);
  const rank = (label: Label) => (order.includes(label.name) ? order.indexOf(label.name) : order.length);
  return labels.toSorted((a, b) => rank(a) - rank(b));
}

function stepKey(title: string, startMs: number): string {
  return `${startMs}\u0000${title}`;
}

function markPassedOnRetryAsFlaky(result: AllureTestResult): void {
  const retried = result.parameters.some((parameter) => parameter.name === 'Retry');
  if (result.status === Status.PASSED && retried) {
    // `flaky` is part of Allure's result format but missing from the TypeScript type.
    result.statusDetails = { ...result.statusDetails, flaky: true } as StatusDetails;
  }
}

function environmentInfo(targetUrl: string | undefined, environment: string | undefined): Record<string, string> {
  return {
    ...(environment ? { Environment: environment } : {}),
    'Target URL': targetUrl ?? 'unknown',
    'Git commit': gitCommit(),
    Node: process.version,
    Playwright: playwrightPackage.version,
  };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}
