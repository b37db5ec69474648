import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Attachment, StepResult } from 'allure-js-commons';
import type { Writer } from 'allure-js-commons/sdk/reporter';
import { mergeExchangeAttachments } from './allure-exchanges';

/**
 * Allure's results writer, with two changes:
 * - no flush to disk. allure-js-commons writes every result and attachment to a temporary file,
 *   flushes it to the disk (fsync) and renames it, synchronously in the runner's process: on a busy
 *   machine about 4 ms a file, 8 files a test, during which the runner handles no other event
 *   (bench/README.md, the scale benchmark). The results are read by the report build after the run,
 *   from the page cache; a run cut short by a crash of the machine has no report to build anyway.
 *   (Writing through Node's promises instead costs the runner more than this.)
 * - a test's attachments are held until its result is written, so that each API call's request and
 *   response go into one file (allure-exchanges.ts). What is not a test's is written with the next
 *   group or globals file, and at `flush`.
 * What is written once a run (environment, categories) still goes through Allure's own writer.
 */
export function unflushedWriter(resultsDir: string, own: Writer): Writer & { flush(): void } {
  let made = false;
  const file = (name: string) => {
    if (!made) mkdirSync(resultsDir, { recursive: true });
    made = true;
    return path.join(resultsDir, name);
  };
  const held = new Map<string, Buffer>();
  const write = (source: string) => {
    const content = held.get(source);
    if (content === undefined) return;
    writeFileSync(file(source), content);
    held.delete(source);
  };
  const flush = () => {
    for (const source of [...held.keys()]) write(source);
  };
  return {
    writeResult: (result) => {
      mergeExchangeAttachments(result.steps, held);
      for (const { source } of attachmentsOf(result)) write(source);
      writeFileSync(file(`${result.uuid}-result.json`), JSON.stringify(result));
    },
    writeGroup: (group) => {
      flush();
      writeFileSync(file(`${group.uuid}-container.json`), JSON.stringify(group));
    },
    writeGlobals: (name, globals) => {
      flush();
      writeFileSync(file(name), JSON.stringify(globals));
    },
    writeAttachment: (name, content) => held.set(name, content),
    writeAttachmentFromPath: (name, from) => copyFileSync(from, file(name)),
    writeEnvironmentInfo: (info) => own.writeEnvironmentInfo(info),
    writeCategoriesDefinitions: (categories) => own.writeCategoriesDefinitions(categories),
    flush,
  };
}

function attachmentsOf(step: { attachments: Attachment[]; steps: StepResult[] }): Attachment[] {
  return [...step.attachments, ...step.steps.flatMap(attachmentsOf)];
}
