// The wait kernel: what every wait shares. Polling, webhooks, streams and channels only say how they observe.
export { type Clock, clockOf, seededRandom, systemClock } from './clock';
export { Deadline } from './deadline';
export { WaitError, WaitFailure, atCallSite, captureCallSite } from './errors';
export { count, describeError, firstLine, intoTheWait, seconds } from './format';
export {
  type Contract,
  type EndedWait,
  type ObserveContext,
  type Observed,
  type Observer,
  type WaitRun,
  type WaitSpec,
  runWait,
} from './kernel';
export { type WaitBasics, type WaitContext, type WaitServices, waitContext } from './options';
export {
  type FailedOutcome,
  type FatalCategory,
  type NotReadyVerdict,
  OUTCOME_PREFIX,
  VERDICT_WORD,
  type Verdict,
  type VerdictKind,
  type WaitOutcome,
} from './outcomes';
export { type ObservationMark, type WaitRecordFields, bracketOf, recordFields } from './record';
export {
  READINESS_ATTACHMENT,
  type ReportStep,
  type ReportedRecord,
  type WaitReporter,
  reportWait,
  silentReporter,
  waitTitle,
} from './report';
