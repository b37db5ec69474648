// Takes a newer starter into an adopted copy, as one change to review: every file the starter changed
// between the version the copy was adopted from (.starter.json) and the newer one is merged three ways,
// by `git merge-file`, with the copy's own version of it. Conflicts stay in the files, marked as git
// marks them. The team's files (tests/, api/, .env, README.md) are never touched. No tags needed:
// versions are found by the version in package.json.
// Usage: npm run starter:update -- <git URL or path> [<version>] [--from <version or commit>]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ORIGIN_FILE, type StarterOrigin, readOrigin, writeOrigin } from './starter-origin';

const root = path.join(__dirname, '..');

// What belongs to the team once adopted; the starter's changes to these are left out.
const TEAM_FILES = [
  /^tests\//,
  /^api\//,
  /^demo-api\//,
  /^README\.md$/,
  /^replay\/rules\.ts$/,
  /^\.env(?!\.example$)/,
  /^\.starter\.json$/,
];
// Merged line by line, a lockfile would be a broken lockfile: npm writes it again instead.
const LOCKFILE = 'package-lock.json';

type Outcome =
  | { kind: 'updated' | 'merged' | 'added' | 'deleted'; file: string }
  | { kind: 'conflict'; file: string; why: string }
  | { kind: 'skipped'; file: string; why: string };

/** Bad input: the update stops, changing nothing, with this message (exit code 2). */
class UpdateError extends Error {}

function fail(message: string): never {
  throw new UpdateError(message);
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function blob(clone: string, commit: string, file: string): Buffer {
  return execFileSync('git', ['cat-file', 'blob', `${commit}:${file}`], { cwd: clone, maxBuffer: 256 * 1024 * 1024 });
}

function exists(clone: string, object: string): boolean {
  return spawnSync('git', ['cat-file', '-e', object], { cwd: clone }).status === 0;
}

function versionAt(clone: string, commit: string): string {
  return (JSON.parse(blob(clone, commit, 'package.json').toString('utf8')) as { version: string }).version;
}

/** The commit that released a version: the first, on the checked-out branch, whose package.json has it. */
function releaseCommit(clone: string, version: string): string | undefined {
  const candidates = git(clone, [
    'log',
    '--reverse',
    '--format=%H',
    `-S"version": "${version}"`,
    'HEAD',
    '--',
    'package.json',
  ]);
  return candidates.split('\n').find((commit) => commit && versionAt(clone, commit) === version);
}

function resolveBase(clone: string, origin: StarterOrigin): string {
  if (origin.commit && exists(clone, `${origin.commit}^{commit}`)) return origin.commit;
  const release = releaseCommit(clone, origin.version);
  if (release) return release;
  fail(
    `The starter at that address has no version ${origin.version} (the one this copy was adopted from) in its ` +
      'history.\nGive the repository this copy came from, or the version it came from with --from.',
  );
}

function resolveTarget(clone: string, version: string | undefined): string {
  if (version === undefined) return git(clone, ['rev-parse', 'HEAD']);
  return releaseCommit(clone, version) ?? fail(`The starter at that address has no version ${version}.`);
}

function refuseUnlessClean() {
  let status: string;
  try {
    status = git(root, ['status', '--porcelain']);
  } catch {
    fail('npm run starter:update works in a git checkout, so that the update is one diff: run `git init` first.');
  }
  if (status) fail('The git tree has uncommitted changes: commit or stash them first, so that the update is one diff.');
}

/** A starter file added since the base, under a folder the starter had then and the copy removed. */
function removedFolder(clone: string, base: string, file: string): string | undefined {
  const folders = path.posix.dirname(file).split('/');
  for (let depth = 1; depth <= folders.length && folders[0] !== '.'; depth += 1) {
    const folder = folders.slice(0, depth).join('/');
    if (exists(clone, `${base}:${folder}`) && !existsSync(path.join(root, folder))) return folder;
  }
  return undefined;
}

function write(file: string, content: Buffer | string, executable: boolean) {
  const at = path.join(root, file);
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, content);
  if (executable) chmodSync(at, 0o755);
}

/** git merge-file of the copy's file with the starter's two versions; the number of conflicts, or -1 (binary). */
function mergeFile(file: string, base: Buffer, theirs: Buffer, labels: [string, string, string]): number {
  const scratch = mkdtempSync(path.join(tmpdir(), 'starter-merge-'));
  try {
    writeFileSync(path.join(scratch, 'base'), base);
    writeFileSync(path.join(scratch, 'theirs'), theirs);
    const merged = spawnSync(
      'git',
      [
        'merge-file',
        '-p',
        '--diff3',
        ...labels.flatMap((label) => ['-L', label]),
        path.join(root, file),
        'base',
        'theirs',
      ],
      { cwd: scratch, maxBuffer: 256 * 1024 * 1024 },
    );
    if (merged.status === null || merged.status > 127) return -1;
    writeFileSync(path.join(root, file), merged.stdout);
    return merged.status;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function applyChange(
  clone: string,
  change: { status: string; file: string },
  base: string,
  target: string,
  labels: [string, string, string],
): Outcome | undefined {
  const { status, file } = change;
  const here = path.join(root, file);
  const ours = existsSync(here) ? readFileSync(here) : undefined;
  const theirs = status === 'D' ? undefined : blob(clone, target, file);
  const executable = status !== 'D' && git(clone, ['ls-tree', target, '--', file]).startsWith('100755');
  if (status === 'A') {
    if (ours === undefined) {
      const removed = removedFolder(clone, base, file);
      if (removed) return { kind: 'skipped', file, why: `new in the starter, in ${removed}/, which you removed` };
      write(file, theirs!, executable);
      return { kind: 'added', file };
    }
    if (ours.equals(theirs!)) return undefined;
    return mergeConflicting(file, Buffer.alloc(0), theirs!, labels, 'added here and in the starter', executable);
  }
  const before = blob(clone, base, file);
  if (ours === undefined) return status === 'D' ? undefined : { kind: 'skipped', file, why: 'you had deleted it' };
  if (status === 'D') {
    if (!ours.equals(before)) return { kind: 'conflict', file, why: 'deleted in the starter, changed here: kept' };
    rmSync(here);
    return { kind: 'deleted', file };
  }
  if (ours.equals(theirs!)) return undefined;
  if (ours.equals(before)) {
    write(file, theirs!, executable);
    return { kind: 'updated', file };
  }
  if (file === LOCKFILE)
    return { kind: 'skipped', file, why: 'yours differs: `npm install` brings it in line with package.json' };
  return mergeConflicting(file, before, theirs!, labels, 'changed here and in the starter', executable);
}

/** Both sides changed the file: merged, or its conflicts marked; a file that is not text is left as it was. */
function mergeConflicting(
  file: string,
  base: Buffer,
  theirs: Buffer,
  labels: [string, string, string],
  both: string,
  executable: boolean,
): Outcome {
  const conflicts = mergeFile(file, base, theirs, labels);
  if (conflicts < 0) {
    write(`${file}.starter`, theirs, executable);
    return { kind: 'conflict', file, why: `${both}, not text: the starter's is in ${path.basename(file)}.starter` };
  }
  if (executable) chmodSync(path.join(root, file), 0o755);
  if (conflicts === 0) return { kind: 'merged', file };
  return { kind: 'conflict', file, why: `${plural(conflicts, 'conflict', 'conflicts')} marked in the file` };
}

/** The CHANGELOG's sections newer than a version, as the newer starter has them. */
function changelogSince(clone: string, target: string, version: string): string[] {
  if (!exists(clone, `${target}:CHANGELOG.md`)) return [];
  const lines = blob(clone, target, 'CHANGELOG.md').toString('utf8').split('\n');
  const first = lines.findIndex((line) => line.startsWith('## '));
  const end = lines.findIndex((line) => line.startsWith(`## [${version}]`));
  if (first < 0) return [];
  const sections = lines.slice(first, end < 0 ? undefined : end).map((line) => line.trimEnd());
  while (sections.at(-1) === '') sections.pop();
  return sections;
}

const LABELS: Record<Outcome['kind'], string> = {
  updated: 'updated',
  merged: 'merged',
  added: 'added',
  deleted: 'deleted',
  conflict: 'CONFLICT',
  skipped: 'left out',
};

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' } } });
  const [source, version] = positionals;
  if (!source) fail('Usage: npm run starter:update -- <git URL or path of the starter> [<version>] [--from <version>]');
  refuseUnlessClean();
  const recorded = readOrigin(root);
  const from = values.from;
  const origin: StarterOrigin | undefined = from
    ? /^[0-9a-f]{40}$/.test(from)
      ? { version: from, commit: from }
      : { version: from }
    : recorded;
  if (!origin) fail(`No ${ORIGIN_FILE}: say which version this copy was adopted from, with --from <version>.`);

  // npm runs scripts in the package's folder: a relative path is the caller's.
  const local = path.resolve(process.env['INIT_CWD'] ?? process.cwd(), source);
  const clone = mkdtempSync(path.join(tmpdir(), 'starter-'));
  try {
    try {
      git(tmpdir(), ['clone', '--quiet', '--no-checkout', existsSync(local) ? local : source, clone]);
    } catch (error) {
      fail(
        `Could not clone the starter from ${source}: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`,
      );
    }
    const base = resolveBase(clone, origin);
    const target = resolveTarget(clone, version);
    const [fromVersion, toVersion] = [versionAt(clone, base), versionAt(clone, target)];
    const short = (commit: string) => commit.slice(0, 7);
    if (base === target) {
      console.log(`Already at the starter's ${toVersion} (${short(target)}): nothing to update.`);
      return;
    }
    if (spawnSync('git', ['merge-base', '--is-ancestor', target, base], { cwd: clone }).status === 0) {
      fail(
        `The starter's ${toVersion} (${short(target)}) is older than this copy's ${fromVersion}: nothing to update.`,
      );
    }

    // -z: paths as they are, without git's quoting of unusual characters.
    const fields = git(clone, ['diff', '--name-status', '--no-renames', '-z', base, target]).split('\0');
    const changes = Array.from({ length: Math.floor(fields.length / 2) }, (_, i) => ({
      status: fields[2 * i]![0]!,
      file: fields[2 * i + 1]!,
    }));
    const teams = changes.filter((change) => TEAM_FILES.some((pattern) => pattern.test(change.file)));
    const labels: [string, string, string] = ['yours', `starter ${fromVersion}`, `starter ${toVersion}`];
    const outcomes = changes
      .filter((change) => !teams.includes(change))
      .flatMap((change) => applyChange(clone, change, base, target, labels) ?? []);
    writeOrigin(root, { version: toVersion, commit: target });

    const conflicts = outcomes.filter((outcome) => outcome.kind === 'conflict');
    console.log(
      `Starter ${fromVersion} (${short(base)}) → ${toVersion} (${short(target)}): ` +
        `${plural(changes.length, 'file', 'files')} changed in the starter.`,
    );
    for (const outcome of outcomes) {
      const why = 'why' in outcome ? `: ${outcome.why}` : '';
      console.log(`  ${LABELS[outcome.kind].padEnd(9)} ${outcome.file}${why}`);
    }
    if (teams.length > 0) {
      const files = plural(teams.length, 'file', 'files');
      console.log(`  not touched: ${files} of yours that the starter changed too (tests/, api/, README.md…)`);
    }
    const changelog = changelogSince(clone, target, fromVersion);
    if (changelog.length > 0) {
      console.log(
        [
          '',
          "What changed, from the starter's CHANGELOG.md:",
          ...changelog.map((line) => (line ? `  ${line}` : line)),
        ].join('\n'),
      );
    }
    const lockfile = outcomes.find((outcome) => outcome.file === LOCKFILE);
    console.log(
      [
        '',
        ...(conflicts.length === 0
          ? []
          : [
              `${conflicts.length === 1 ? '1 file needs' : `${conflicts.length} files need`} your decision (CONFLICT above).`,
            ]),
        ...(lockfile?.kind === 'skipped' ? ['The starter changed its package-lock.json: run `npm install`.'] : []),
        ...(lockfile && lockfile.kind !== 'skipped' ? ['package-lock.json changed: run `npm ci`.'] : []),
        `Then review \`git diff\`, run the suite, and commit it as one change (${ORIGIN_FILE} now says ${toVersion}).`,
      ].join('\n'),
    );
    if (conflicts.length > 0) process.exitCode = 1;
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof UpdateError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
