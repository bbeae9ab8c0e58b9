import type { MessageBus } from '../delivery/message-bus.js';
import { publishOrLeaveToScanner } from '../delivery/publish-or-leave-to-scanner.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { Clock } from '../shared/clock.js';
import { invalidField } from '../shared/gateway-error.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationStore } from './notification-store.js';
import { NO_CHANGES, type ChangeReporter } from './notification-changes.js';
import type { NotificationRecord } from './notification-record.js';
import type { RedriveFilter, RedriveStore } from './redrive-store.js';

/** Default and largest number of records one bulk redrive moves. */
export const REDRIVE_LIMIT = { default: 1000, max: 10_000 } as const;

/** Ids listed in a redrive answer (sample and flagged). */
const SAMPLE_SIZE = 20;

/**
 * Error codes after which the provider may have delivered without answering (lease expired
 * mid-send, a timeout after the request was written).
 */
const UNKNOWN_OUTCOME_CODES: ReadonlySet<string> = new Set([
  'outcome_unknown',
  'lease_expired',
  'provider_timeout',
]);

/** A bulk redrive request (RPC and CLI). */
export interface BulkRedriveRequest extends RedriveFilter {
  readonly dryRun: boolean;
  /** 0 = the default. */
  readonly limit: number;
}

/** What a bulk redrive matched and did. */
export interface BulkRedriveResult {
  readonly matchedCount: number;
  readonly redrivenCount: number;
  readonly sampleIds: string[];
  readonly flaggedCount: number;
  readonly flaggedIds: string[];
}

/**
 * Redrives every dead (or failed) record a filter matches, as RetryNotification does one: back to
 * pending with a fresh attempt budget, published now. Flags records whose last call's outcome is
 * unknown and older than their provider's idempotency window, where a redrive may deliver twice.
 */
export class BulkRedrive {
  constructor(
    private readonly deps: {
      readonly redrives: RedriveStore;
      readonly store: NotificationStore;
      readonly bus: MessageBus;
      readonly channels: ChannelRegistry;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly maxAttempts: number;
      readonly changes?: ChangeReporter;
    },
  ) {}

  async run(request: BulkRedriveRequest): Promise<BulkRedriveResult> {
    if (request.limit < 0 || request.limit > REDRIVE_LIMIT.max) {
      throw invalidField('limit', 'invalid_value', `must be between 0 and ${REDRIVE_LIMIT.max}`);
    }
    if (request.statuses.length === 0) throw invalidField('statuses', 'field_required', 'is required');
    if (request.createdAfter && request.createdBefore && request.createdAfter >= request.createdBefore) {
      throw invalidField('created_after', 'invalid_value', 'must be before created_before');
    }
    const { redrives, store, clock } = this.deps;
    const matchedCount = await redrives.countMatching(request);
    const candidates = await redrives.findMatching(request, request.limit || REDRIVE_LIMIT.default);
    const now = clock.now();
    const flagged = candidates.filter((record) => this.mayDuplicate(record, now)).map((record) => record.id);
    if (request.dryRun) {
      return {
        matchedCount,
        redrivenCount: 0,
        sampleIds: candidates.slice(0, SAMPLE_SIZE).map((record) => record.id),
        flaggedCount: flagged.length,
        flaggedIds: flagged.slice(0, SAMPLE_SIZE),
      };
    }
    const redriven: string[] = [];
    for (const candidate of candidates) {
      const record = await store.redrive(candidate.id, clock.now(), this.deps.maxAttempts);
      if (!record) continue; // moved meanwhile (redriven or cancelled by someone else)
      redriven.push(record.id);
      await (this.deps.changes ?? NO_CHANGES).changed(record);
      await this.publish(record);
    }
    this.deps.logger.info(
      { matched: matchedCount, redriven: redriven.length, flagged: flagged.length },
      'bulk redrive',
    );
    return {
      matchedCount,
      redrivenCount: redriven.length,
      sampleIds: redriven.slice(0, SAMPLE_SIZE),
      flaggedCount: flagged.length,
      flaggedIds: flagged.slice(0, SAMPLE_SIZE),
    };
  }

  /** True when the record's last call may have delivered and its provider can no longer dedupe a retry. */
  private mayDuplicate(record: NotificationRecord, now: Date): boolean {
    if (!UNKNOWN_OUTCOME_CODES.has(record.lastErrorCode ?? '')) return false;
    const provider = this.deps.channels.get(record.channel)?.provider;
    const windowMs = provider?.idempotent ? (provider.idempotencyWindowMs ?? Number.POSITIVE_INFINITY) : 0;
    // created_at is no later than the key's first use, so this age errs towards flagging.
    return now.getTime() - record.createdAt.getTime() > windowMs;
  }

  private async publish(record: NotificationRecord): Promise<void> {
    await publishOrLeaveToScanner(
      this.deps.bus,
      { kind: 'notification.requested', notificationId: record.id, channel: record.channel },
      undefined,
      this.deps.logger,
      { what: 'bulk redrive' },
    );
  }
}
