// Builds the Allure report of the last run (`npm run report [allure-results folders…]`): one report of
// every folder given, each run's environment (API_ENV) an Allure environment. And keeps it private: Allure 3's report
// pages load Google Analytics from a third-party host when opened, with no option to turn it off
// (allure-framework/allure3#476; the awesome plugin's page template hard-codes `analyticsEnable: true`).
// The analytics are stripped from the generated pages, and the build fails if a page still refers to
// an external script or a known analytics host, e.g. because a later Allure injects them differently.
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ConfigAdditions, environmentsOf, parseProperties } from '../helpers/reports/allure-config';
import { readTestResults } from '../helpers/reports/allure-results';
import { wrapWords } from '../helpers/reports/text-lines';
import { ALLURE_CONFIG, runAllure, startAllure, withScratchDirAsync } from './allure-cli';

// allurerc.mjs's `output`.
const REPORT_DIR = 'allure-report';
const RESULTS_DIRS = process.argv.length > 2 ? process.argv.slice(2) : ['allure-results'];

export const ANALYTICS_HOSTS = [
  'googletagmanager.com',
  'google-analytics.com',
  'analytics.google.com',
  'doubleclick.net',
] as const;
// Left behind by the analytics snippet even without its script: it hands report data to whatever reads it.
const ANALYTICS_CODE = /\bgtag\(|\bdataLayer\b/;
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>[ \t]*\n?/gi;
// Elements that load what they refer to as soon as the page opens, and the attribute that says what.
const LOADING =
  /<(script|link|img|iframe|frame|source|embed|object|audio|video|track)\b[^>]*?\s(src|href|data|poster)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi;
const CSS_URL = /(?:@import\s+|url\(\s*)["']?((?:https?:)?\/\/[^"')\s]+)/gi;

function isAnalyticsHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url, 'https://report.invalid').hostname;
  } catch {
    return false;
  }
  return ANALYTICS_HOSTS.some((analytics) => host === analytics || host.endsWith(`.${analytics}`));
}

/** A report page without its analytics: the tag that loads them and the inline snippet that calls them. */
export function stripAnalytics(html: string): string {
  return html.replace(SCRIPT, (tag, attributes: string, body: string) => {
    const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1];
    const analytics = src === undefined ? ANALYTICS_CODE.test(body) : isAnalyticsHost(src);
    return analytics ? '' : tag;
  });
}

/** What a report page would fetch from another host when opened, or hand to analytics; empty when nothing. */
export function externalReferences(html: string): string[] {
  const found = new Set<string>();
  for (const [, element, attribute, url] of html.matchAll(LOADING)) found.add(`<${element} ${attribute}="${url}">`);
  for (const [, url] of html.matchAll(CSS_URL)) found.add(`url(${url})`);
  for (const host of ANALYTICS_HOSTS) if (html.includes(host)) found.add(`the analytics host ${host}`);
  if (ANALYTICS_CODE.test(html)) found.add('an analytics snippet (gtag/dataLayer)');
  return [...found];
}

// Every page of the report; attachments are the tests' own data (an HTML body, say), not report code.
function reportPages(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.html?$/i.test(file) && !file.split(path.sep).includes('attachments'))
    .map((file) => path.join(dir, file));
}

/**
 * Each environment's block of the report: what its run would have shown in Allure's one environment
 * block (reporters/allure.ts keeps it apart, as environment-<name>.properties).
 */
function variablesOf(dirs: readonly string[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    dirs.flatMap((dir) =>
      (existsSync(dir) ? readdirSync(dir) : []).flatMap((file) => {
        const environment = /^environment-(.+)\.properties$/.exec(file)?.[1];
        return environment ? [[environment, parseProperties(readFileSync(path.join(dir, file), 'utf8'))]] : [];
      }),
    ),
  );
}

type AllureConfig = { plugins?: Record<string, unknown>; historyPath?: string };

/**
 * `allure generate`, each view of allurerc.mjs in a process of its own, all at once. Allure builds its
 * views one after the other and reads every attachment file once per view, one file at a time, mostly
 * waiting on the disk: at once, two views of 5,000 tests take about two thirds of the time on two
 * cores (bench/README.md). The first view adds the run to the history; the others read a copy of the
 * history as it was. Then Allure's own summary page links the views, as a single command's would.
 */
async function generate(additions: ConfigAdditions, env: NodeJS.ProcessEnv): Promise<number> {
  const config = ((await import(pathToFileURL(ALLURE_CONFIG).href)) as { default: AllureConfig }).default;
  const views = Object.keys(config.plugins ?? {});
  if (views.length < 2) return runAllure('generate', RESULTS_DIRS, additions, env).status ?? 1;
  const codes = await withScratchDirAsync(async (dir) => {
    const history = config.historyPath;
    const copy = path.join(dir, 'history.jsonl');
    if (history !== undefined && existsSync(history)) copyFileSync(history, copy);
    return Promise.all(
      views.map((view, index) => {
        const historyPath = index > 0 && history !== undefined ? { historyPath: copy } : {};
        const overrides = { output: path.join(REPORT_DIR, view), ...historyPath };
        return startAllure('generate', RESULTS_DIRS, { ...additions, plugin: view, overrides }, env);
      }),
    );
  });
  const failed = codes.find((code) => code !== 0);
  if (failed !== undefined) return failed;
  const { generateSummary } = await import('@allurereport/summary');
  const summaries = views.map(
    (view) =>
      JSON.parse(readFileSync(path.join(REPORT_DIR, view, 'summary.json'), 'utf8')) as Parameters<
        typeof generateSummary
      >[1][number],
  );
  await generateSummary(REPORT_DIR, summaries);
  return 0;
}

async function buildReport(): Promise<void> {
  rmSync(REPORT_DIR, { recursive: true, force: true });
  const environments = environmentsOf(readTestResults(RESULTS_DIRS));
  // The opt-out proposed upstream (allure-framework/allure3#784); it does nothing until Allure has it.
  const env = { ...process.env, ALLURE_NO_ANALYTICS: 'true' };
  const status = await generate({ environments, variables: variablesOf(RESULTS_DIRS) }, env);
  if (status !== 0) process.exit(status);

  const problems: string[] = [];
  let stripped = 0;
  const pages = reportPages(REPORT_DIR);
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    const privateHtml = stripAnalytics(html);
    if (privateHtml !== html) {
      writeFileSync(page, privateHtml);
      stripped += 1;
    }
    const references = externalReferences(privateHtml);
    if (references.length > 0) problems.push(`${page} refers to ${references.join(', ')}`);
  }
  if (problems.length > 0) {
    console.error('The Allure report would make requests to other hosts when opened; do not publish it:');
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  const of = environments.length > 0 ? ` of the environments ${environments.join(', ')}` : '';
  const done = `Allure report${of} in ${REPORT_DIR}/: analytics removed from ${stripped} of ${pages.length} pages, no request to another host.`;
  console.log(wrapWords(done).join('\n'));
}

if (require.main === module) void buildReport();
