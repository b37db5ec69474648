import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Writer } from 'allure-js-commons/sdk/reporter';

/**
 * Allure's results writer, without the flush to disk. allure-js-commons writes every result and
 * attachment to a temporary file, flushes it to the disk (fsync) and renames it, synchronously in the
 * runner's process: on a busy machine about 4 ms a file, 8 files a test, during which the runner
 * handles no other event (bench/README.md, the scale benchmark). The results are read by the report
 * build after the run, from the page cache; a run cut short by a crash of the machine has no report
 * to build anyway. (Writing through Node's promises instead costs the runner more than this.) What is
 * written once a run (environment, categories) still goes through Allure's own writer.
 */
export function unflushedWriter(resultsDir: string, own: Writer): Writer {
  let made = false;
  const file = (name: string) => {
    if (!made) mkdirSync(resultsDir, { recursive: true });
    made = true;
    return path.join(resultsDir, name);
  };
  return {
    writeResult: (result) => writeFileSync(file(`${result.uuid}-result.json`), JSON.stringify(result)),
    writeGroup: (group) => writeFileSync(file(`${group.uuid}-container.json`), JSON.stringify(group)),
    writeGlobals: (name, globals) => writeFileSync(file(name), JSON.stringify(globals)),
    writeAttachment: (name, content) => writeFileSync(file(name), content),
    writeAttachmentFromPath: (name, from) => copyFileSync(from, file(name)),
    writeEnvironmentInfo: (info) => own.writeEnvironmentInfo(info),
    writeCategoriesDefinitions: (categories) => own.writeCategoriesDefinitions(categories),
  };
}
