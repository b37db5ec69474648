// The lines the starter prints at the end of a run: none longer than a terminal's usual width, and
// counts in words that agree with them ("1 login", "2 logins").

export const LINE_WIDTH = 120;

/** `1 login`, `2 logins`, `1 SLA breach`, `2 SLA breaches`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The text, cut to a width with an ellipsis when it is longer. */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Items after a label, separated by ` · `, as few lines as they need: a line that would pass the
 * width goes on to the next one, indented. An item longer than a whole line is cut.
 */
export function wrapItems(label: string, items: readonly string[], indent = '    ', width = LINE_WIDTH): string[] {
  // Room for the ` ·` that ends a line the list goes on from.
  const most = width - 2;
  const lines: string[] = [];
  let line = label;
  let first = true;
  for (const item of items) {
    if (!first && line.length + 3 + item.length > most) {
      lines.push(`${line} ·`);
      line = indent;
      first = true;
    }
    const separator = first ? '' : ' · ';
    line += `${separator}${fit(item, most - line.length - separator.length)}`;
    first = false;
  }
  lines.push(line);
  return lines;
}

/** Prose wrapped at word boundaries, its first line and the others each after their own indent. */
export function wrapWords(text: string, first = '', rest = '  ', width = LINE_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const indent = lines.length === 0 ? first : rest;
    const candidate = line === '' ? `${indent}${word}` : `${line} ${word}`;
    if (line !== '' && candidate.length > width) {
      lines.push(line);
      line = fit(`${rest}${word}`, width);
    } else {
      line = fit(candidate, width);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Rows as columns padded to their widest cell, each cell cut to its column's most. */
export function table(rows: ReadonlyArray<readonly string[]>, maxWidths: readonly number[]): string[] {
  const cut = rows.map((row) => row.map((cell, column) => fit(cell, maxWidths[column] ?? LINE_WIDTH)));
  const widths = maxWidths.map((_, column) => Math.max(0, ...cut.map((row) => row[column]?.length ?? 0)));
  return cut.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
