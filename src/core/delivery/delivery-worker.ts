import { setTimeout as sleep } from 'node:timers/promises';
import {
  PoisonMessageError,
  type BusEvent,
  type DeliveryRequested,
  type MessageBus,
  type Subscription,
} from './message-bus.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { SendResult } from '../contract/index.js';
import type { AttemptRecord, NotificationRecord } from '../notification/notification-record.js';
import { isTerminal } from '../notification/status-machine.js';
import type { ChannelRegistry, LoadedChannel } from '../channels/channel-registry.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationStore } from '../notification/notification-store.js';
import type { ChannelSettingsSource, UserChannelSetting } from '../user-config/channel-settings-source.js';
import { NO_OBSERVER, type DeliveryObserver } from '../metrics/delivery-observer.js';
import { NO_CHANGES, type ChangeReporter } from '../notification/notification-changes.js';
import { withSpan } from '../telemetry/tracing.js';
import { callProvider, type TimedResult } from '../channels/call-provider.js';
import { buildSendRequest } from '../channels/send-request.js';
import { channelPreflight } from '../user-config/channel-preflight.js';
import { publishOrLeaveToScanner } from './publish-or-leave-to-scanner.js';
import { decideAfterSend } from './retry-policy.js';

/** How many lease lengths a worker keeps trying to record an outcome before giving up. */
const RECORD_RETRY_LEASES = 10;

/** Arrivals this close to next_attempt_at are sent; earlier ones are re-delayed. */
const EARLY_TOLERANCE_MS = 25;

/** Sleeps an early arrival may take before its claim goes ahead anyway. */
const MAX_EARLY_NAPS = 5;

/** Permanent codes that mean the user's own settings are wrong (webhook deleted, bad open_id). */
const SETTINGS_INVALID_CODES: ReadonlySet<string> = new Set(['invalid_url', 'recipient_missing']);

export interface WorkerDependencies {
  readonly store: NotificationStore;
  readonly bus: MessageBus;
  readonly channels: ChannelRegistry;
  readonly settings: ChannelSettingsSource;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Written to lease_owner, so an operator can tell which process holds a record. */
  readonly workerId: string;
  /** Told about claims and finished attempts (metrics). */
  readonly observer?: DeliveryObserver;
  /** Told about each claim and finish (WatchNotifications, status callbacks). */
  readonly changes?: ChangeReporter;
}

/**
 * Consumes `notify.deliver`: claims a record with a lease (compare-and-set), calls its channel's
 * provider, records the attempt and moves the record, then schedules a retry when it failed.
 * Duplicate or stale messages are harmless: the claim lets exactly one through.
 */
export class DeliveryWorker {
  private subscription: Subscription | undefined;
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: WorkerDependencies) {}

  private get changes(): ChangeReporter {
    return this.deps.changes ?? NO_CHANGES;
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe('deliver', (event) => this.handle(event), {
      prefetch: this.deps.config.broker.prefetch,
    });
  }

  /**
   * Stop taking messages and wait for in-flight deliveries to finish and ack. After `graceMs` the
   * remaining provider calls are aborted; they finish as temporary failures and are retried later,
   * so nothing in flight is lost.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (!subscription) return;
    const cancelled = subscription.cancel();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      if (Number.isFinite(graceMs)) timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([cancelled.then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'timeout') {
      this.deps.logger.warn({ grace_ms: graceMs }, 'shutdown grace over: aborting in-flight provider calls');
      this.abortInFlight();
      await cancelled;
    }
  }

  /** Abort in-flight provider calls (after the grace period ran out). */
  abortInFlight(): void {
    this.shutdown.abort(new Error('shutting down'));
  }

  /** Handle one bus event; exposed for tests that drive the worker without a broker. */
  async handle(event: BusEvent): Promise<void> {
    if (event.kind !== 'notification.requested') return;
    const record = await this.deps.store.findById(event.notificationId);
    if (!record) {
      // Trigger publishes only after the insert commits, so no row means none will ever appear
      // (a forged or foreign message). Dead-letter it once so it is kept for inspection instead of
      // being acked away silently or redelivered up to the delivery limit.
      throw new PoisonMessageError(`no notification ${event.notificationId}`);
    }
    if (isTerminal(record.status)) {
      // A redelivered message of a finished record: its callback may not have reached the outbox
      // (the process died or the write failed after the finish); enqueueing again is idempotent.
      if (record.callback) await this.changes.settle(record);
      return;
    }
    if (record.status === 'sending') return;
    const wait = record.nextAttemptAt.getTime() - this.deps.clock.now().getTime();
    if (wait > EARLY_TOLERANCE_MS) {
      await this.deps.bus.publish(event, { delayMs: wait });
      return;
    }
    // The claim only takes due rows: an arrival a few ms early waits them out here, or its claim
    // would miss and the message be acked away, leaving the record to the relay seconds later.
    // A timer can fire a few ms early by the wall clock (Node starts it from the event loop's cached
    // time), so sleep again while the clock still says early; bounded, for a clock that stands still.
    for (let left = wait, naps = 0; left > 0 && naps < MAX_EARLY_NAPS; naps += 1) {
      await sleep(left);
      left = record.nextAttemptAt.getTime() - this.deps.clock.now().getTime();
    }
    await this.deliver(record, event);
  }

  private async deliver(record: NotificationRecord, event: DeliveryRequested): Promise<void> {
    const { store, config, clock } = this.deps;
    const now = clock.now();
    const channel = this.deps.channels.get(record.channel);
    // The user's current settings are read alongside the claim, not after it: one round trip less.
    const reading = channel ? this.deps.settings.get(record.userId, record.channel) : Promise.resolve(null);
    reading.catch(() => undefined); // a lost claim leaves this unobserved; a won claim reads again
    const claimed = await store.claim(record.id, {
      now,
      leaseOwner: this.deps.workerId,
      leaseExpiresAt: new Date(now.getTime() + config.worker.leaseMs),
      // CAS on the version just read: a row that moved since is someone else's (its own message).
      expected: record,
    });
    if (!claimed) return;
    void this.changes.changed(claimed);
    (this.deps.observer ?? NO_OBSERVER).claimed(
      claimed.channel,
      now.getTime() - record.nextAttemptAt.getTime(),
    );
    // The row is ours now: a failed read is retried like the finish, not left for lease recovery.
    const setting = await reading.catch(() =>
      this.record(() => this.deps.settings.get(claimed.userId, claimed.channel), claimed),
    );
    const preflight = this.preflight(channel, setting);
    const started = clock.now();
    const { result, durationMs } = preflight
      ? { result: preflight, durationMs: 0 }
      : await this.callTraced(
          claimed,
          (channel as LoadedChannel).provider,
          buildSendRequest(claimed, setting?.settings ?? {}, setting?.locale),
        );
    await this.finish(claimed, channel, result, durationMs, started, event);
  }

  /** One provider call inside a `notify.provider.send` span. */
  private callTraced(
    claimed: NotificationRecord,
    provider: LoadedChannel['provider'],
    request: Parameters<typeof callProvider>[1],
  ): Promise<TimedResult> {
    const attributes = {
      'notify.notification_id': claimed.id,
      'notify.channel': claimed.channel,
      'notify.plugin': claimed.plugin,
      'notify.attempt_no': claimed.callCount,
    };
    return withSpan('notify.provider.send', { kind: 'client', attributes }, async (span) => {
      const timed = await callProvider(
        provider,
        request,
        this.deps.config.worker.sendTimeoutMs,
        this.shutdown.signal,
      );
      span?.setAttributes({
        'notify.outcome': timed.result.outcome,
        'notify.error_code': timed.result.errorCode ?? '',
      });
      return timed;
    });
  }

  private preflight(
    channel: LoadedChannel | undefined,
    setting: UserChannelSetting | null,
  ): SendResult | undefined {
    if (!channel) {
      return {
        outcome: 'permanent_fail',
        errorCode: 'channel_unavailable',
        errorMessage: 'channel is no longer configured',
      };
    }
    const skip = channelPreflight(channel, setting);
    return skip && { outcome: 'skipped', errorCode: skip.code, errorMessage: skip.message };
  }

  private async finish(
    claimed: NotificationRecord,
    channel: LoadedChannel | undefined,
    result: SendResult,
    durationMs: number,
    startedAt: Date,
    event: DeliveryRequested,
  ): Promise<void> {
    const { store, config, clock, logger } = this.deps;
    const now = clock.now();
    const update = decideAfterSend(claimed, result, config.retry, now);
    const attempt: AttemptRecord = {
      notificationId: claimed.id,
      attemptNo: claimed.callCount,
      outcome: result.outcome,
      errorCode: result.errorCode ?? null,
      errorMessage: result.errorMessage ?? null,
      requestPayload: result.requestPayload ?? null,
      responsePayload: result.responsePayload ?? null,
      durationMs,
      startedAt,
      possibleDuplicate: Boolean(result.outcomeUnknown) && !(channel?.provider.idempotent ?? true),
    };
    const finished = await this.record(
      () => store.finish(claimed.id, claimed.version, update, attempt, claimed),
      claimed,
    );
    const fields = {
      notification_id: claimed.id,
      trace_id: claimed.traceId,
      channel: claimed.channel,
      attempt_no: attempt.attemptNo,
    };
    if (!finished) {
      logger.warn(fields, 'record moved while sending (lease lost); result discarded');
      return;
    }
    logger.info(
      {
        ...fields,
        status: finished.status,
        outcome: result.outcome,
        error_code: result.errorCode,
        duration_ms: durationMs,
      },
      'delivery attempt finished',
    );
    (this.deps.observer ?? NO_OBSERVER).attemptFinished(finished, result, durationMs);
    if (finished.status === 'dead' && SETTINGS_INVALID_CODES.has(result.errorCode ?? '')) {
      await this.deps.settings.markInvalid(claimed.userId, claimed.channel, result.errorCode ?? 'invalid');
    }
    if (finished.status === 'failed') await this.scheduleRetry(finished, event, now);
    // Last: a callback that cannot be queued fails the handler, so the message comes back and its
    // redelivery (a finished record) queues the callback then.
    await this.changes.settle(finished);
  }

  /**
   * Record a provider call's outcome (or read what a claimed row needs), retrying while the database
   * is unreachable. The worker is the only one who knows what the provider answered: giving up would
   * leave the row `sending` until lease recovery resends it (a duplicate for providers without
   * idempotency). The version compare-and-set makes a late success harmless; shutdown or a long
   * outage ends the retries.
   */
  private async record<T>(write: () => Promise<T>, claimed: NotificationRecord): Promise<T> {
    const giveUpAt = Date.now() + this.deps.config.worker.leaseMs * RECORD_RETRY_LEASES;
    // Short delays: when the database returns, the live worker should record before the scanner
    // recovers the lease (if it has expired meanwhile).
    for (let delay = 200; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await write();
      } catch (error) {
        if (this.shutdown.signal.aborted || Date.now() + delay > giveUpAt) throw error;
        this.deps.logger.warn(
          { notification_id: claimed.id, err: (error as Error).message, retry_in_ms: delay },
          'database call failed while holding a claim; retrying',
        );
        await sleep(delay);
      }
    }
  }

  private async scheduleRetry(
    record: NotificationRecord,
    event: DeliveryRequested,
    now: Date,
  ): Promise<void> {
    // The row is `failed` with next_attempt_at set: a lost retry message is the relay's to repair.
    await publishOrLeaveToScanner(
      this.deps.bus,
      event,
      { delayMs: Math.max(0, record.nextAttemptAt.getTime() - now.getTime()) },
      this.deps.logger,
      { what: 'retry' },
    );
  }
}
