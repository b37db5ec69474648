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
