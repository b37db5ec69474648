import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import playwrightPackage from '@playwright/test/package.json';
import type { TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { Status, type StatusDetails, type TestResult as AllureTestResult } from 'allure-js-commons';
import { AllureReporter } from 'allure-playwright';

type Options = ConstructorParameters<typeof AllureReporter>[0] & {
  /** Shown in the report's environment block together with the git commit and versions. */
  targetUrl?: string;
};

/**
 * allure-playwright with four additions:
 * - each run starts with an empty results folder;
 * - a test that passed only on a retry is marked flaky (Allure counts the retry, but flags nothing);
 * - environment info: target URL, git commit, Node and Playwright versions;
 * - readiness waits keep their attempts nested (see `view`).
 */
export default class AllureReporterForAsyncApis extends AllureReporter {
  private readonly views = new WeakMap<TestStep, TestStep>();
  private readonly resultsDir: string;
  private emptied = false;

  constructor({ targetUrl, ...options }: Options = {}) {
    super({
      ...options,
      environmentInfo: { ...environment(targetUrl), ...options.environmentInfo },
      listeners: [...(options.listeners ?? []), { beforeTestResultWrite: markPassedOnRetryAsFlaky }],
    });
    this.resultsDir = options.resultsDir ?? 'allure-results';
  }

  // allure-playwright adds to its folder, and results of an earlier run would read as retries of this
  // one: the folder is emptied when the first test begins, so that a run that stops before any test
  // (an unreachable API, say) leaves the previous results alone.
  override onTestBegin(test: TestCase): void {
    if (!this.emptied) {
      rmSync(this.resultsDir, { recursive: true, force: true });
      this.emptied = true;
    }
    super.onTestBegin(test);
  }

  override onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    super.onStepBegin(test, result, this.view(step));
  }

  override onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    super.onStepEnd(test, result, this.view(step));
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

function markPassedOnRetryAsFlaky(result: AllureTestResult): void {
  const retried = result.parameters.some((parameter) => parameter.name === 'Retry');
  if (result.status === Status.PASSED && retried) {
    // `flaky` is part of Allure's result format but missing from the TypeScript type.
    result.statusDetails = { ...result.statusDetails, flaky: true } as StatusDetails;
  }
}

function environment(targetUrl: string | undefined): Record<string, string> {
  return {
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
