/** A path into a JSON value as the reports show it: `result.images[0].url`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`),
    '',
  );
}

/**
 * Matches paths against patterns such as `createdAt`, `result.images[*].url`, `users[*]` or
 * `**.createdAt` (at any depth). A pattern matches the path itself and everything below it.
 */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  const regexes = patterns.map((pattern) => new RegExp(`^${toRegex(pattern)}(?:$|[.[])`));
  return (path) => regexes.some((regex) => regex.test(path));
}

function toRegex(pattern: string): string {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    if (pattern.startsWith('**.', index)) {
      source += '(?:.*[.\\]])?';
      index += 2;
    } else if (pattern.startsWith('[*]', index)) {
      source += '\\[\\d+\\]';
      index += 2;
    } else if (pattern[index] === '*') {
      source += '[^.[\\]]+';
    } else {
      source += pattern[index]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}
