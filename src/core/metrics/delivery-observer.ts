import type { SendResult } from '../contract/index.js';
import type { NotificationRecord } from '../notification/notification-record.js';

/** How a trigger ended for one channel, as counted by metrics. */
export type TriggerResult = 'accepted' | 'deduplicated' | 'skipped' | 'scheduled' | 'rejected';

/**
 * What the core reports as it works (metrics implement it; tests may too). Every method must be
 * cheap and must not throw.
 */
export interface DeliveryObserver {
  triggered(result: TriggerResult): void;
  /** A worker claimed a record `lagMs` after it became due (queue lag). */
  claimed(channel: string, lagMs: number): void;
  /** A provider call finished and the record moved to `record.status`. */
  attemptFinished(record: NotificationRecord, result: SendResult, durationMs: number): void;
}

/** An observer that records nothing. */
export const NO_OBSERVER: DeliveryObserver = {
  triggered: () => undefined,
  claimed: () => undefined,
  attemptFinished: () => undefined,
};
