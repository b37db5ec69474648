// An inner reporter for checks/unit/redact-reports.spec.ts: notes what each event showed it, as JSON
// taken at the time, into the array named by its `log` option.
type Log = Array<{ event: string; seen: string }>;

export default class NotingReporter {
  private readonly log: Log;

  constructor(options: { log: string }) {
    const logs = globalThis as unknown as Record<string, Log>;
    this.log = logs[options.log] ??= [];
  }

  onBegin(...args: unknown[]) {
    this.note('onBegin', args);
  }
  onStdOut(...args: unknown[]) {
    this.note('onStdOut', args);
  }
  onStepBegin(...args: unknown[]) {
    this.note('onStepBegin', args);
  }
  onTestEnd(...args: unknown[]) {
    this.note('onTestEnd', args);
  }
  onError(...args: unknown[]) {
    this.note('onError', args);
  }

  // So that Playwright's factory adds no terminal reporter of its own beside it.
  printsToStdio() {
    return true;
  }

  private note(event: string, args: unknown[]) {
    const seen = JSON.stringify(args, (key, value: unknown) => (key === 'parent' ? undefined : value));
    this.log.push({ event, seen });
  }
}
