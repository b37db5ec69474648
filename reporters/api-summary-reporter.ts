import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { type Env, EnvError, readEnv } from '../helpers/env';
import {
  type ApiCall,
  type ApiDocument,
  type ApiSummarySettings,
  DEFAULT_TREND_RULE,
  apiSummarySettings,
  callsFromAttachments,
  historyRun,
  operationsOfDocument,
  parseHistory,
  parseOpenApiText,
  renderHistory,
  renderMarkdown,
  renderSvg,
  renderText,
  summarizeApiCalls,
  trimHistory,
} from '../helpers/reports/api-summary';
import { loadSettings } from '../setup/settings';
import { writeSummaryFiles } from './summary-files';

type Options = {
  /** Where api-summary.json, .md and .svg go. */
  outputDir?: string;
  /** The allure-results folder to add the summary to, as global attachments; none when unset. */
  allureResultsDir?: string;
  /** The runs' p95 per operation, kept between runs beside the Allure history. */
  historyFile?: string;
  /** The OpenAPI document when OPENAPI_DOCUMENT is unset; by default the one api/generated/ was made from. */
  document?: string;
};

const GENERATED_DOCUMENT = path.join(__dirname, '..', 'api', 'generated', 'openapi.json');

/**
 * Collects every API call of the run (the request and response attachments of the client fixtures'
 * steps) and, at the end, summarises them per operation: printed in short, written as JSON, Markdown
 * and SVG, attached to the Allure report, and compared with the earlier runs of the history.
 */
export default class ApiSummaryReporter implements Reporter {
  private readonly calls: ApiCall[] = [];
  private sharded = false;
  private testsEnded = 0;
  private readonly run = settingsOfThisRun();

  constructor(private readonly options: Options = {}) {}

  onBegin(config: FullConfig): void {
    this.sharded = config.shard !== null;
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.testsEnded += 1;
    this.calls.push(...callsFromAttachments(result.attachments));
  }

  async onEnd(result: FullResult): Promise<void> {
    // A run that stopped before any test (an unreachable API, say) leaves the last summary alone.
    if (this.testsEnded === 0) return;
    const { settings, target } = this.run;
    const document = await documentOf(settings.document ?? this.options.document ?? defaultDocument());
    const historyFile = this.options.historyFile ?? path.join('.history', 'api-summary.jsonl');
    const history = !this.sharded && existsSync(historyFile) ? parseHistory(readFileSync(historyFile, 'utf8')) : [];
    const summary = summarizeApiCalls({
      calls: this.calls,
      runDurationMs: result.duration,
      document,
      history,
      target,
      trendRule: settings.trendRule,
    });
    const outputDir = this.options.outputDir ?? path.join('reports', 'api');
    if (summary.calls > 0) console.log(`\n${renderText(summary, path.join(outputDir, 'api-summary.md'))}`);
    // Written even when empty: a summary left over from an earlier run would speak for this one.
    const files = [
      { name: 'api-summary.json', body: `${JSON.stringify(summary, null, 2)}\n`, contentType: 'application/json' },
      { name: 'api-summary.md', body: renderMarkdown(summary), contentType: 'text/markdown' },
      { name: 'api-summary.svg', body: renderSvg(summary), contentType: 'image/svg+xml' },
    ];
    // A shard's calls are a part of the run: the whole run's summary is attached, and kept, when the shards merge.
    const whole = !this.sharded && summary.calls > 0;
    writeSummaryFiles(files, outputDir, whole ? this.options.allureResultsDir : undefined);
    if (whole) {
      const kept = trimHistory([...history, historyRun(summary, target)], settings.trendRule.keptRuns);
      mkdirSync(path.dirname(historyFile), { recursive: true });
      writeFileSync(historyFile, renderHistory(kept));
    }
  }

  printsToStdio(): boolean {
    return false;
  }
}

function settingsOfThisRun(): { settings: ApiSummarySettings; target: string } {
  const defaults = { settings: { document: undefined, trendRule: DEFAULT_TREND_RULE }, target: 'unknown' };
  let env = envOrUndefined();
  if (!env) {
    loadSettings();
    env = envOrUndefined();
  }
  if (!env) return defaults;
  try {
    return { settings: apiSummarySettings(env), target: env.baseURL };
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`API summary: ${error.message} It uses its defaults instead.`);
    return { ...defaults, target: env.baseURL };
  }
}

// `playwright merge-reports` reads merge.config.ts, which loads no .env: the scripts' loader fills in.
function envOrUndefined(): Env | undefined {
  try {
    return readEnv();
  } catch (error) {
    if (error instanceof EnvError) return undefined;
    throw error;
  }
}

function defaultDocument(): string | undefined {
  return existsSync(GENERATED_DOCUMENT) ? path.relative(process.cwd(), GENERATED_DOCUMENT) : undefined;
}

/** The document's operations; without one, or when it cannot be read, the summary goes by the template rule. */
async function documentOf(source: string | undefined): Promise<{ source: string; api: ApiDocument } | undefined> {
  if (source === undefined) return undefined;
  try {
    const text = /^https?:\/\//i.test(source) ? await fetchText(source) : readFileSync(path.resolve(source), 'utf8');
    return { source, api: operationsOfDocument(parseOpenApiText(text, source)) };
  } catch (error) {
    console.warn(`API summary: could not read the OpenAPI document ${source} (${(error as Error).message}).`);
    return undefined;
  }
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}
