import type { TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { AllureReporter } from 'allure-playwright';

/**
 * allure-playwright with `detail: false` drops expect steps, and with them the link between an
 * expect.poll and the steps run inside it: a readiness wait's attempts would float to the top of the
 * test. This reporter shows it each step with its nearest ancestor that is not an expect step, so
 * the attempts stay inside their wait.
 */
export default class AllureReporterKeepingNesting extends AllureReporter {
  private readonly views = new WeakMap<TestStep, TestStep>();

  override onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    super.onStepBegin(test, result, this.view(step));
  }

  override onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    super.onStepEnd(test, result, this.view(step));
  }

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
