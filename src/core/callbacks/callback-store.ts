/** Where a callback delivery stands: waiting (or retrying), delivered, or given up. */
export type CallbackDeliveryStatus = 'pending' | 'delivered' | 'dead';

/** One signed status callback to send (table callback_deliveries, the callbacks' outbox). */
export interface CallbackDelivery {
  /** Also the Standard Webhooks `webhook-id`: the same on every retry, so receivers can dedupe. */
  readonly id: string;
  readonly callbackId: string;
  readonly notificationId: string;
  /** `sent`, `dead`, `skipped`, … (the record status or lifecycle event it reports). */
  readonly eventType: string;
  /** The exact JSON body every attempt sends (and signs). */
  readonly payload: string;
  readonly status: CallbackDeliveryStatus;
  readonly attemptCount: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly lastStatusCode: number | null;
  readonly deliveredAt: Date | null;
  readonly createdAt: Date;
  readonly version: number;
}

/** How one POST moved a claimed delivery. */
export interface CallbackAttemptUpdate {
  readonly status: CallbackDeliveryStatus;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly lastStatusCode: number | null;
  readonly deliveredAt: Date | null;
  readonly now: Date;
}

/**
 * Persistence of callback deliveries. Enqueue is idempotent per (callback, notification, event), so
 * a transition reported twice (a redelivered message, a retried write) sends one callback. Claims are
 * compare-and-set on the version, so several workers share the outbox without sending one twice at once.
 */
export interface CallbackStore {
  /** Insert a pending delivery; false when one for the same (callback, notification, event) exists. */
  enqueue(
    delivery: Pick<CallbackDelivery, 'id' | 'callbackId' | 'notificationId' | 'eventType' | 'payload'>,
    now: Date,
  ): Promise<boolean>;
  /**
   * Claim up to `limit` pending deliveries due at `now`: each is pushed to `leaseUntil` (so no
   * other worker takes it meanwhile) and returned with its new version and attempt count.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<CallbackDelivery[]>;
  /** Record one POST's result on the claimed delivery; false when the version moved meanwhile. */
  finishAttempt(id: string, version: number, update: CallbackAttemptUpdate): Promise<boolean>;
  /** Every delivery of one notification, oldest first (operators, tests). */
  listForNotification(notificationId: string): Promise<CallbackDelivery[]>;
}
