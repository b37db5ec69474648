import type { WaitRecord } from '../readiness/wait';

/**
 * What a wait on a push (a webhook, a stream) records in common with a polling wait, so that the
 * readiness summary reads them alike; `attempts` counts deliveries or messages instead of polls.
 */
export type PushWaitRecordFields = Pick<
  WaitRecord,
  | 'operation'
  | 'subject'
  | 'slaMs'
  | 'startedAt'
  | 'provoked'
  | 'attempts'
  | 'elapsedMs'
  | 'observedTimeToReadyMs'
  | 'estimatedTimeToReadyMs'
  | 'timeToReadyMs'
  | 'bracket'
>;
