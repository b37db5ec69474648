/** What a classifier may call fatal: the API said it failed, answered a status it should not, or broke its contract. */
export type FatalCategory = 'terminal-failure' | 'unexpected-status' | 'contract-violation';

/** Every way a wait can end, whatever it observes. */
export type WaitOutcome =
  | 'ready'
  | 'timeout'
  | 'silent'
  | FatalCategory
  | 'probe-error'
  | 'classifier-error'
  | 'bad-signature'
  | 'connection-failed'
  | 'connection-dropped';

export type FailedOutcome = Exclude<WaitOutcome, 'ready'>;

/** The first words of a failed wait's message, one per outcome. */
export const OUTCOME_PREFIX: Record<FailedOutcome, string> = {
  timeout: 'Readiness timeout',
  silent: 'Silent channel',
  'terminal-failure': 'Terminal failure reported by the API',
  'unexpected-status': 'Unexpected HTTP status',
  'contract-violation': 'Contract violation',
  'probe-error': 'Probe failed',
  'classifier-error': 'Classifier error',
  'bad-signature': 'Bad webhook signature',
  'connection-failed': 'Connection failed',
  'connection-dropped': 'Connection dropped',
};

/** What one observation means. `observed` is a short description for reports: "status processing". */
export type Verdict<R, C extends string = FatalCategory> =
  | { kind: 'ready'; value: R; observed: string; httpStatus?: number }
  | NotReadyVerdict
  | { kind: 'fatal'; category: C; observed: string; httpStatus?: number; evidence: string };

export type NotReadyVerdict = {
  kind: 'not-ready';
  observed: string;
  httpStatus?: number;
  retryAfterMs?: number | undefined;
  /** The phase the subject is in (`queued`, `processing`…): the schedule learns how long each one takes. */
  phase?: string | undefined;
  /** Its place in a queue, when the API says (1: the next one taken). */
  queuePosition?: number | undefined;
};

export type VerdictKind = Verdict<unknown>['kind'];

export const VERDICT_WORD: Record<VerdictKind, string> = { ready: 'ready', 'not-ready': 'not ready', fatal: 'fatal' };
