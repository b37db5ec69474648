/** "3 s", "2.5 s": how every wait writes a duration. */
export function seconds(ms: number, decimals = 0): string {
  const value = ms / 1000;
  return `${decimals === 0 && Number.isInteger(value) ? value : value.toFixed(decimals || 1)} s`;
}

/** "1 message", "3 deliveries". */
export { count } from '../reports/text-lines';

/** "1.2 s into the wait", or "0.3 s before the wait" for what arrived before it began. */
export function intoTheWait(ms: number): string {
  return ms >= 0 ? `${seconds(ms, 1)} into the wait` : `${seconds(-ms, 1)} before the wait`;
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/** An error in one line: "TypeError: fetch failed". */
export function describeError(error: unknown): string {
  return firstLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
