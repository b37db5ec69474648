import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// `.starter.json` says which starter an adopted copy holds: its version, and the commit when the copy
// was a clone of the starter's repository. `npm run adopt` writes it; `npm run starter:update` merges
// against it and writes the newer one.
export const ORIGIN_FILE = '.starter.json';

const StarterOrigin = z.object({
  version: z.string().min(1),
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
});
export type StarterOrigin = z.infer<typeof StarterOrigin>;

export function readOrigin(root: string): StarterOrigin | undefined {
  const file = path.join(root, ORIGIN_FILE);
  if (!existsSync(file)) return undefined;
  return StarterOrigin.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function writeOrigin(root: string, origin: StarterOrigin): void {
  writeFileSync(path.join(root, ORIGIN_FILE), `${JSON.stringify(origin, null, 2)}\n`);
}

/** The starter this checkout is: the version in package.json and the commit checked out. */
export function originOfCheckout(root: string): StarterOrigin {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  return { version, commit };
}
