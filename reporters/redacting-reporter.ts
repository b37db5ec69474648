import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ReporterDescription } from '@playwright/test';
import type {
  FullConfig,
  FullResult,
  Suite,
  TestCase,
  TestError,
  TestResult,
  TestStep,
} from '@playwright/test/reporter';
import { EnvError, readEnv } from '../helpers/env';
import {
  SECRET_FINGERPRINTS_DIR,
  fingerprintFileHeader,
  fingerprintKey,
  parseFingerprintFile,
} from '../helpers/secrets/fingerprints';
import { Redactor } from '../helpers/secrets/redactor';
import { RELAY_KEY_VARIABLE, isSealedSecret, newRelayKey, unsealSecret } from '../helpers/secrets/relay';
import { ReportRedaction } from '../helpers/secrets/report-redaction';
import { loadSettings } from '../setup/settings';

type Options = {
  /** The reporters to run behind the redaction, as in a config's `reporter`. */
  reporters?: ReporterDescription[];
  // Given by Playwright to every reporter.
  configDir?: string;
  _mode?: 'test' | 'list' | 'merge';
  _commandHash?: string;
};

type Chunk = string | Buffer;
// The interface Playwright's runner speaks to its reporters (its own "v2"): the public Reporter
// API, with the config given apart (onConfigure) and the events of a merge (onReportConfigure/End).
type InnerReporter = {
  onConfigure?(config: FullConfig): void;
  preprocess?(params: { suite: Suite }): Promise<void>;
  onBegin?(suite: Suite): void;
  onTestBegin?(test: TestCase, result: TestResult): void;
  onStdOut?(chunk: Chunk, test?: TestCase, result?: TestResult): void;
  onStdErr?(chunk: Chunk, test?: TestCase, result?: TestResult): void;
  onTestEnd?(test: TestCase, result: TestResult): void;
  onStepBegin?(test: TestCase, result: TestResult, step: TestStep): void;
  onStepEnd?(test: TestCase, result: TestResult, step: TestStep): void;
  onError?(error: TestError, workerInfo?: unknown): void;
  onReportConfigure?(params: unknown): void;
  onReportEnd?(params: unknown): void;
  onEnd?(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined | void>;
  onExit?(): Promise<void>;
  printsToStdio?(): boolean;
};
type PlaywrightRunner = {
  runnerReporters?: {
    createReporters?: (
      config: { configDir: string; config: { rootDir: string; tags: string[]; reporter: ReporterDescription[] } },
      mode: string,
      descriptions: ReporterDescription[],
    ) => Promise<InnerReporter[]>;
  };
  base?: {
    resolveOutputFile?: (reporter: string, options: object) => { outputFile: string; outputDir?: string } | undefined;
  };
};

const BUILT_IN = new Set(['blob', 'dot', 'failures', 'github', 'html', 'json', 'junit', 'line', 'list', 'null']);

/**
 * A config's reporters, behind the redaction: `reporter: redacting([['list'], ['html'], …])`.
 * Every reporter listed here sees the run only after every secret of it is redacted.
 */
export function redacting(reporters: ReporterDescription[]): ReporterDescription[] {
  return [[__filename, { reporters }]];
}

/**
 * A config's reporters with more of them, behind the same redaction: for configs that extend another
 * (`reporter: withReporters(base.reporter, [['./my-reporter.ts']])`). Reporters outside `redacting`
 * would see the run's output unredacted.
 */
export function withReporters(
  reporter: string | ReporterDescription[] | undefined,
  more: ReporterDescription[],
): ReporterDescription[] {
  const listed: ReporterDescription[] =
    reporter === undefined ? [] : typeof reporter === 'string' ? [[reporter]] : reporter;
  const inner = listed.flatMap((description) =>
    description[0] === __filename ? ((description[1] as Options | undefined)?.reporters ?? []) : [description],
  );
  return redacting([...inner, ...more]);
}

/**
 * Runs the reporters it is given (Playwright's own and any other) and hands each of them the run
 * redacted: test and step titles, errors, annotations, output, attachments and the files they point
 * to, and, at the end, every file the workers left in the output folders. It knows the secret
 * settings, and hears of every secret a worker learns (fixtures/secrets.ts) before that worker's next
 * step, error or output arrives. What the reporters' process prints goes through it too.
 */
export default class RedactingReporter {
  private readonly redactor = new Redactor();
  private readonly redaction = new ReportRedaction(this.redactor);
  private readonly relayKey = newRelayKey();
  private readonly mode: string;
  private inner: InnerReporter[] | undefined;
  private readonly waiting: Array<(reporter: InnerReporter) => void> = [];
  private readonly ready: Promise<void>;
  private outputDirs: string[] = [];
  private shard: FullConfig['shard'] = null;
  private failure: unknown;
  private readonly options: Options;

  constructor(options: Options = {}) {
    this.options = options;
    this.mode = options._mode ?? 'test';
    this.redactor.addSecret(...secretSettings(), this.relayKey);
    // The workers started for this run inherit it, and seal what they learn with it.
    process.env[RELAY_KEY_VARIABLE] = this.relayKey;
    guardTerminal(this.redactor);
    this.ready = this.createInner(options).then(
      (inner) => {
        this.inner = inner;
        for (const event of this.waiting.splice(0)) this.deliverNow(event);
      },
      (error: unknown) => {
        this.failure = error;
        this.inner = [];
      },
    );
  }

  version(): 'v2' {
    return 'v2';
  }

  printsToStdio(): boolean {
    // Playwright adds a terminal reporter when none prints, outside this one; the factory adds one inside instead.
    return this.mode !== 'merge';
  }

  onConfigure(config: FullConfig): void {
    this.outputDirs = config.projects.map((project) => project.outputDir);
    this.shard = config.shard;
    this.deliver((reporter) => reporter.onConfigure?.(config));
  }

  async preprocess(params: { suite: Suite }): Promise<void> {
    this.redaction.suite(params.suite);
    await this.ready;
    for (const reporter of this.inner ?? []) await reporter.preprocess?.(params);
  }

  onBegin(suite: Suite): void {
    this.redaction.suite(suite);
    this.deliver((reporter) => reporter.onBegin?.(suite));
  }

  onTestBegin(test: TestCase, result: TestResult): void {
    this.redaction.test(test);
    this.deliver((reporter) => reporter.onTestBegin?.(test, result));
  }

  onStdOut(chunk: Chunk, test?: TestCase, result?: TestResult): void {
    const shown = this.output(chunk, result?.stdout);
    if (shown !== undefined) this.deliver((reporter) => reporter.onStdOut?.(shown, test, result));
  }

  onStdErr(chunk: Chunk, test?: TestCase, result?: TestResult): void {
    const shown = this.output(chunk, result?.stderr);
    if (shown !== undefined) this.deliver((reporter) => reporter.onStdErr?.(shown, test, result));
  }

  onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    this.redaction.stepBegin(step);
    this.deliver((reporter) => reporter.onStepBegin?.(test, result, step));
  }

  onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    this.redaction.step(step);
    this.deliver((reporter) => reporter.onStepEnd?.(test, result, step));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.redaction.test(test);
    if (this.mode === 'test') this.redaction.outputFolder(test, result, this.outputDirs);
    this.redaction.result(result);
    this.deliver((reporter) => reporter.onTestEnd?.(test, result));
  }

  onError(error: TestError, workerInfo?: unknown): void {
    this.redaction.error(error);
    this.deliver((reporter) => reporter.onError?.(error, workerInfo));
  }

  onReportConfigure(params: unknown): void {
    this.deliver((reporter) => reporter.onReportConfigure?.(params));
  }

  onReportEnd(params: unknown): void {
    this.deliver((reporter) => reporter.onReportEnd?.(params));
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    await this.ready;
    // What the workers wrote themselves (a spec's own files, error contexts), before a reporter copies it.
    if (this.mode === 'test') for (const dir of this.outputDirs) this.redaction.folder(dir);
    let status: FullResult['status'] | undefined;
    for (const reporter of this.inner ?? []) {
      try {
        const outcome = await reporter.onEnd?.({ ...result, status: status ?? result.status });
        if (outcome?.status) status = outcome.status;
      } catch (error) {
        this.failure ??= error;
      }
    }
    if (this.mode === 'test') this.fingerprintsForTheMerge();
    this.throwFailure();
    return status ? { status } : undefined;
  }

  async onExit(): Promise<void> {
    await this.ready;
    for (const reporter of this.inner ?? []) await reporter.onExit?.();
  }

  /**
   * A blob report travels to the merge job without test-results/: the fingerprints of the run's
   * secrets go with it, beside the archive, so that the merge job's scan recognises them.
   */
  private fingerprintsForTheMerge(): void {
    const blob = this.options.reporters?.find(([name]) => name === 'blob');
    const key = fingerprintKeyOfThisRun();
    if (!blob || !key) return;
    const hashes = new Set<string>();
    for (const dir of this.outputDirs.map((outputDir) => path.join(outputDir, SECRET_FINGERPRINTS_DIR))) {
      for (const file of existsSync(dir) ? readdirSync(dir) : []) {
        const { keyId, fingerprints } = parseFingerprintFile(readFileSync(path.join(dir, file), 'utf8'));
        if (keyId === key.id) for (const hash of fingerprints) hashes.add(hash);
      }
    }
    const resolved = playwrightRunner().base?.resolveOutputFile?.('BLOB', {
      ...(blob[1] as object),
      configDir: this.options.configDir ?? process.cwd(),
      default: { fileName: 'report.zip', outputDir: 'blob-report' },
    });
    if (!resolved) return;
    const dir = path.dirname(resolved.outputFile);
    const name = this.shard ? `secret-fingerprints-shard-${this.shard.current}.txt` : 'secret-fingerprints.txt';
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, name),
      `${fingerprintFileHeader(key)}${[...hashes].map((hash) => `${hash}\n`).join('')}`,
    );
  }

  /** What a reporter may see of a chunk of output: nothing for a worker's sealed secret. */
  private output(chunk: Chunk, captured: Chunk[] | undefined): Chunk | undefined {
    const index = captured ? captured.lastIndexOf(chunk) : -1;
    if (isSealedSecret(chunk)) {
      this.redactor.addSecret(unsealSecret(this.relayKey, chunk));
      if (index !== -1) captured!.splice(index, 1);
      return undefined;
    }
    const shown = this.redaction.chunk(chunk);
    if (index !== -1) captured![index] = shown;
    return shown;
  }

  // Reporters are made asynchronously: what comes before is kept, in order, until they are.
  private deliver(event: (reporter: InnerReporter) => void): void {
    if (this.inner) this.deliverNow(event);
    else this.waiting.push(event);
    this.throwFailure();
  }

  private deliverNow(event: (reporter: InnerReporter) => void): void {
    for (const reporter of this.inner ?? []) {
      try {
        event(reporter);
      } catch (error) {
        this.failure ??= error;
      }
    }
  }

  // A reporter's failure is Playwright's to report, as it would be without this one in between.
  private throwFailure(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure instanceof Error ? failure : new Error('A reporter failed', { cause: failure });
  }

  private async createInner(options: Options): Promise<InnerReporter[]> {
    const configDir = options.configDir ?? process.cwd();
    const descriptions = (options.reporters ?? [['list']]).map(([name, arg]): ReporterDescription => [
      BUILT_IN.has(name) ? name : resolveReporter(name, configDir),
      { ...(arg as object), ...(options._commandHash ? { _commandHash: options._commandHash } : {}) },
    ]);
    // A reporter named in PW_TEST_REPORTER (an IDE's) is added once, by Playwright, next to this one.
    const ideReporter = process.env['PW_TEST_REPORTER'];
    delete process.env['PW_TEST_REPORTER'];
    try {
      const create = playwrightRunner().runnerReporters?.createReporters;
      if (typeof create !== 'function') {
        throw new Error(
          'reporters/redacting-reporter.ts: this version of Playwright no longer exports its reporter factory ' +
            '(runnerReporters.createReporters in playwright/lib/runner); nothing can be reported redacted.',
        );
      }
      return await create(
        { configDir, config: { rootDir: configDir, tags: [], reporter: descriptions } },
        this.mode,
        descriptions,
      );
    } finally {
      if (ideReporter !== undefined) process.env['PW_TEST_REPORTER'] = ideReporter;
    }
  }
}

// Playwright's own reporters (list, html, blob, json…) are not exported one by one: they are made by
// the factory its runner makes the config's reporters with, which it exports with its helpers.
function playwrightRunner(): PlaywrightRunner {
  return createRequire(__filename)('playwright/lib/runner') as PlaywrightRunner;
}

function fingerprintKeyOfThisRun() {
  try {
    return fingerprintKey(readEnv());
  } catch (error) {
    if (error instanceof EnvError) return undefined;
    throw error;
  }
}

function resolveReporter(name: string, configDir: string): string {
  if (path.isAbsolute(name)) return name;
  if (name.startsWith('.')) return path.resolve(configDir, name);
  return createRequire(path.join(configDir, 'package.json')).resolve(name);
}

// The values of the secret settings; merge-reports reads no .env, so the settings are loaded here then.
function secretSettings(): readonly string[] {
  try {
    return readEnv().secrets;
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
  }
  loadSettings();
  try {
    return readEnv().secrets;
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`Redaction: ${error.message} Only the secrets the workers report are redacted.`);
    return [];
  }
}

const GUARDED = Symbol.for('redacting-reporter.guarded');

/** Whatever this process prints (a global setup's logs, a reporter's summary) goes through the redactor. */
function guardTerminal(redactor: Redactor): void {
  for (const stream of [process.stdout, process.stderr] as Array<NodeJS.WriteStream & { [GUARDED]?: Redactor }>) {
    if (stream[GUARDED]) {
      stream[GUARDED] = redactor;
      continue;
    }
    stream[GUARDED] = redactor;
    const write = stream.write.bind(stream);
    stream.write = (chunk: unknown, ...rest: unknown[]) =>
      Reflect.apply(write, stream, [
        typeof chunk === 'string' ? stream[GUARDED]!.text(chunk) : chunk,
        ...rest,
      ]) as boolean;
  }
}
