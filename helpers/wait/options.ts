import type { Redactor } from '../secrets/redactor';
import { type Clock, systemClock } from './clock';
import { captureCallSite } from './errors';
import type { FailedOutcome } from './outcomes';
import { type WaitReporter, silentReporter } from './report';

/** What every wait is told, whatever it observes. */
export type WaitBasics<F extends string = FailedOutcome> = {
  /** What is awaited, as developers call it ("image generation"); also the key of learned timings. */
  operation: string;
  /** Which instance of it ("task tsk_42"). */
  subject: string;
  /** The business SLA of the operation: the wait never runs past it. */
  slaMs: number;
  /** For tests that provoke a failure on purpose: the outcome they expect. The wait still throws,
   *  but its record says it was provoked, and the readiness summary counts it apart. */
  expectedOutcome?: F;
  /** A wait that observes nothing for longer than this fails then, as silent (messages so far, time
   *  since the last), before its SLA. None by default. */
  silenceMs?: number;
};

/** How a wait reports, redacts, keeps time and points at its caller: the fixtures fill these in. */
export type WaitServices = {
  reporter?: WaitReporter;
  /** When given, every text the wait writes into its error, its record and its steps passes it. */
  redactor?: Redactor;
  clock?: Clock;
  /** Where a failure is reported to come from; by default the caller of the wait. */
  callSite?: Error;
};

/** The services of one wait, defaults filled in. */
export type WaitContext = {
  reporter: WaitReporter;
  clock: Clock;
  redactor: Redactor | undefined;
  callSite: Error;
  /** Redacts a text, when there is a redactor. */
  clean: (text: string) => string;
  /** Redacts a JSON value, when there is a redactor. */
  cleanJson: (value: unknown) => unknown;
};

/** The context of a wait started by `caller` (the wait's public function, so that the stack starts at its caller). */
export function waitContext(services: WaitServices, caller: (...args: never[]) => unknown): WaitContext {
  const redactor = services.redactor;
  return {
    reporter: services.reporter ?? silentReporter,
    clock: services.clock ?? systemClock,
    redactor,
    callSite: services.callSite ?? captureCallSite(caller),
    clean: (text) => (redactor ? redactor.text(text) : text),
    cleanJson: (value) => (redactor ? redactor.json(value) : value),
  };
}
