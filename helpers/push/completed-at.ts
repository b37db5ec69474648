/** The completion time of a webhook event (`data.completedAt`) or of a polled resource (`completedAt`),
 *  a failure's (`failedAt`) too: when the work was done, by the server's clock. */
export function finishedAtOf(value: unknown): string | undefined {
  const fields = (object: unknown) =>
    object !== null && typeof object === 'object' ? (object as Record<string, unknown>) : {};
  for (const holder of [fields(fields(value)['data']), fields(value)]) {
    for (const key of ['completedAt', 'failedAt']) {
      if (typeof holder[key] === 'string') return holder[key];
    }
  }
  return undefined;
}
