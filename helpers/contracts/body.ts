/** The parsed JSON of a body, or the text itself when it is not JSON (an HTML error page, say). */
export function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
