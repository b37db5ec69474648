import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Suite, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import { SECRET_FINGERPRINTS_DIR } from './fingerprints';
import type { Redactor } from './redactor';

type Attachment = TestResult['attachments'][number];
type Annotation = { type: string; description?: string };

// allure-js-commons sends its steps, labels and attachments to allure-playwright as attachments of
// this type: JSON whose attachment contents are base64.
const ALLURE_MESSAGE = 'application/vnd.allure.message+json';
const TEXT_TYPE =
  /^text\/|^application\/(?:json|xml|javascript|yaml|x-yaml|x-ndjson|x-www-form-urlencoded)|\+(?:json|xml)$/i;
const BINARY_TYPE = /^(?:image|video|audio|font)\/|^application\/(?:zip|gzip|x-gzip|octet-stream|pdf)/i;
// Larger files are left as they are: no text report of an API test comes near it.
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Redacts, in place, what Playwright hands to its reporters (suites and tests, results, steps,
 * errors, annotations, attachments and output) and the files attachments point to, so that every
 * reporter after it sees only redacted data. What does not change once made (an error, an
 * attachment and its file) is redacted again only when the redactor has learnt a secret since.
 */
export class ReportRedaction {
  private readonly redactedAt = new WeakMap<object, number>();
  private readonly filesRedactedAt = new Map<string, number>();
  private readonly titledWithSecrets = new WeakSet<TestCase>();

  constructor(private readonly redactor: Redactor) {}

  suite(suite: Suite, titledWithSecret = false): void {
    const title = this.redactor.text(suite.title);
    const withSecret = titledWithSecret || title !== suite.title;
    suite.title = title;
    for (const child of suite.suites) this.suite(child, withSecret);
    for (const test of suite.tests) {
      if (withSecret) this.titledWithSecrets.add(test);
      this.test(test);
    }
  }

  test(test: TestCase): void {
    const title = this.redactor.text(test.title);
    if (title !== test.title) this.titledWithSecrets.add(test);
    test.title = title;
    this.annotations(test.annotations);
  }

  /**
   * Playwright names a test's output folder after its title: a folder whose name holds a secret is
   * renamed, and the attachments in it follow, before any reporter sees where they are.
   */
  outputFolder(test: TestCase, result: TestResult, outputDirs: readonly string[]): void {
    for (const attachment of result.attachments) {
      const outputDir = attachment.path && outputDirs.find((dir) => attachment.path!.startsWith(dir + path.sep));
      if (!outputDir) continue;
      const [folder, ...rest] = path.relative(outputDir, attachment.path!).split(path.sep);
      const safe = this.redactor.fileName(folder!, this.titledWithSecrets.has(test));
      if (safe === folder) continue;
      const from = path.join(outputDir, folder!);
      const to = path.join(outputDir, safe);
      if (existsSync(from) && !existsSync(to)) renameSync(from, to);
      attachment.path = path.join(to, ...rest);
    }
  }

  result(result: TestResult): void {
    result.errors.forEach((error) => this.error(error));
    if (result.error) this.error(result.error);
    this.annotations(result.annotations);
    result.attachments.forEach((attachment) => this.attachment(attachment));
    for (const step of result.steps) this.stepTree(step);
  }

  /** A step as it begins: its title (and what Playwright gives with it), before any reporter sees it. */
  stepBegin(step: TestStep): void {
    this.stepTitle(step);
  }

  /**
   * A step as it ends: its title again, its error, annotations and attachments. A step is redacted
   * once at its end; the test's end goes over it again only when a secret was learnt since.
   */
  step(step: TestStep): void {
    this.redactedAt.set(step, this.redactor.version);
    this.stepTitle(step);
    if (step.error) this.error(step.error);
    this.annotations(step.annotations);
    step.attachments.forEach((attachment) => this.attachment(attachment));
  }

  private stepTitle(step: TestStep): void {
    const title = this.redactor.text(step.title);
    if (title !== step.title) {
      step.title = title;
      const parent = step.parent;
      step.titlePath = () => [...(parent ? parent.titlePath() : []), title];
    }
    const withSubtitle = step as TestStep & { subtitle?: string };
    if (withSubtitle.subtitle) withSubtitle.subtitle = this.redactor.text(withSubtitle.subtitle);
    if (step.params) step.params = this.strings(step.params) as Record<string, unknown>;
  }

  error(error: TestError): void {
    if (!this.isStale(error)) return;
    for (const field of ['message', 'stack', 'value', 'snippet'] as const) {
      const text = error[field];
      if (text) error[field] = this.redactor.text(text);
    }
    if (error.cause) this.error(error.cause);
  }

  /** A chunk of output: text is redacted, bytes that are not text are passed on as they are. */
  chunk(chunk: string | Buffer): string | Buffer {
    if (typeof chunk === 'string') return this.redactor.text(chunk);
    const text = textOf(chunk, undefined);
    return text === undefined ? chunk : Buffer.from(this.redactor.text(text));
  }

  attachment(attachment: Attachment): void {
    if (!this.isStale(attachment)) return;
    attachment.name = this.redactor.text(attachment.name);
    if (attachment.body) attachment.body = this.bytes(attachment.body, attachment.contentType);
    if (attachment.path) this.file(attachment.path, attachment.contentType);
  }

  /** Every file under a folder that workers write into (Playwright's output folder), redacted where it is. */
  folder(dir: string): void {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // not there: nothing was written
    }
    for (const entry of entries) {
      let full = path.join(dir, entry.name);
      const safe = this.redactor.fileName(entry.name);
      if (safe !== entry.name && !existsSync(path.join(dir, safe))) {
        renameSync(full, path.join(dir, safe));
        full = path.join(dir, safe);
      }
      if (entry.isDirectory() && entry.name !== SECRET_FINGERPRINTS_DIR) this.folder(full);
      else if (entry.isFile()) this.file(full, undefined);
    }
  }

  file(file: string, contentType: string | undefined): void {
    if (this.filesRedactedAt.get(file) === this.redactor.version) return;
    this.filesRedactedAt.set(file, this.redactor.version);
    try {
      if (statSync(file).size > MAX_FILE_BYTES) return;
      const bytes = readFileSync(file);
      const redacted = this.bytes(bytes, contentType);
      if (!redacted.equals(bytes)) writeFileSync(file, redacted);
    } catch {
      // gone already, or not readable: no reporter can copy it either
    }
  }

  private bytes(bytes: Buffer, contentType: string | undefined): Buffer {
    const message = contentType === ALLURE_MESSAGE ? jsonOf(bytes) : undefined;
    if (message !== undefined) return Buffer.from(JSON.stringify(this.allureMessage(message)));
    const text = textOf(bytes, contentType);
    if (text === undefined) return bytes;
    const redacted = this.redactor.text(text);
    return redacted === text ? bytes : Buffer.from(redacted);
  }

  // Every string redacted, and every base64 content decoded, redacted and encoded again.
  private allureMessage(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.allureMessage(item));
    if (value === null || typeof value !== 'object') return this.strings(value);
    const fields = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(fields).map(([key, item]) => {
        if (key === 'content' && fields['encoding'] === 'base64' && typeof item === 'string') {
          const type = typeof fields['contentType'] === 'string' ? fields['contentType'] : undefined;
          return [key, this.bytes(Buffer.from(item, 'base64'), type).toString('base64')];
        }
        return [key, this.allureMessage(item)];
      }),
    );
  }

  private strings(value: unknown): unknown {
    if (typeof value === 'string') return this.redactor.text(value);
    if (Array.isArray(value)) return value.map((item) => this.strings(item));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.strings(item)]));
    return value;
  }

  private stepTree(step: TestStep): void {
    if (this.redactedAt.get(step) !== this.redactor.version) this.step(step);
    for (const child of step.steps) this.stepTree(child);
  }

  private annotations(annotations: Annotation[]): void {
    for (const annotation of annotations) {
      annotation.type = this.redactor.text(annotation.type);
      if (annotation.description) annotation.description = this.redactor.text(annotation.description);
    }
  }

  private isStale(object: object): boolean {
    if (this.redactedAt.get(object) === this.redactor.version) return false;
    this.redactedAt.set(object, this.redactor.version);
    return true;
  }
}

/** The text of some bytes, or undefined when they are not text (an image, an archive). */
export function textOf(bytes: Buffer, contentType: string | undefined): string | undefined {
  if (contentType && TEXT_TYPE.test(contentType)) return bytes.toString('utf8');
  if (contentType && BINARY_TYPE.test(contentType)) return undefined;
  if (bytes.subarray(0, 8192).includes(0)) return undefined;
  const text = bytes.toString('utf8');
  return Buffer.byteLength(text) === bytes.length ? text : undefined;
}

function jsonOf(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
