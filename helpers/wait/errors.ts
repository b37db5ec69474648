import type { FailedOutcome } from './outcomes';

/** A wait that failed, with the record of what it saw: the base of every kind of wait's error. */
export class WaitError<R = unknown> extends Error {
  constructor(
    message: string,
    readonly record: R,
  ) {
    super(message);
  }
}

/** Ends a wait from inside one of its steps or observers; turned into the wait's own error once its steps are closed. */
export class WaitFailure<O extends string = FailedOutcome> extends Error {
  constructor(
    readonly outcome: O,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The stack of whoever called `fn`, so that a failure points at the test, not at the wait. */
export function captureCallSite(fn: (...args: never[]) => unknown): Error {
  const site = new Error();
  Error.captureStackTrace(site, fn);
  return site;
}

/** The error, with the stack of the call site instead of its own. */
export function atCallSite<E extends Error>(error: E, callSite: Error): E {
  const frames = (callSite.stack ?? '').split('\n').slice(1);
  error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
  return error;
}
