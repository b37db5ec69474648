type Step = { name?: string; start?: number; stop?: number; steps?: Step[] };

// The title the client fixtures give an API call's step: `POST /users → 201 (7 ms)`.
const API_STEP = /^[A-Z]+ \S+ → (?:\d{3}|no response) \((\d+) ms\)$/;

export type ShortStep = { name: string; durationMs: number; latencyMs: number };

/** The API call steps of some Allure results whose duration is under 90 % of their call's latency. */
export function shortApiSteps(results: ReadonlyArray<{ steps?: Step[] }>): { steps: number; short: ShortStep[] } {
  let steps = 0;
  const short: ShortStep[] = [];
  const visit = (list: Step[] = []) => {
    for (const step of list) {
      const latency = API_STEP.exec(step.name ?? '')?.[1];
      if (latency !== undefined && step.start !== undefined && step.stop !== undefined) {
        steps += 1;
        const durationMs = step.stop - step.start;
        const latencyMs = Number(latency);
        // Both are whole milliseconds, rounded on their own: 1 ms of slack.
        if (durationMs < 0.9 * latencyMs - 1) short.push({ name: step.name!, durationMs, latencyMs });
      }
      visit(step.steps);
    }
  };
  for (const result of results) visit(result.steps);
  return { steps, short };
}

/**
 * The Allure results whose API calls are not each attached as one `<call> request and response`
 * (reporters/allure-exchanges.ts), with how many calls and such attachments each has. The attachment
 * is in the call's step, but for the calls of a fixture's teardown, where allure-playwright puts it
 * beside the test's "After Hooks": so they are counted per test.
 */
export function resultsWithUnpairedExchanges(
  results: ReadonlyArray<{ name?: string; steps?: Step[] }>,
): Array<{ name: string; calls: number; exchanges: number }> {
  const found: Array<{ name: string; calls: number; exchanges: number }> = [];
  for (const result of results) {
    let calls = 0;
    let exchanges = 0;
    const visit = (list: Step[] = []) => {
      for (const step of list) {
        if (API_STEP.test(step.name ?? '')) calls += 1;
        if (step.name?.endsWith(' request and response')) exchanges += 1;
        visit(step.steps);
      }
    };
    visit(result.steps);
    if (calls !== exchanges) found.push({ name: result.name ?? '(unnamed)', calls, exchanges });
  }
  return found;
}
