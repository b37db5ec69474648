/** The parsed JSON of a body, or the text itself when it is not JSON (an HTML error page, say). */
export function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The parsed JSON of a text, or that it is not JSON. */
export function parsedJson(text: string): { json: true; value: unknown } | { json: false } {
  try {
    return { json: true, value: JSON.parse(text) as unknown };
  } catch {
    return { json: false };
  }
}
