import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SendResult } from '../../core/contract/index.js';
import {
  NOTIFICATION_STATUSES,
  type NotificationRecord,
  type NotificationStatus,
} from '../../core/notification/notification-record.js';
import { isRateLimited } from '../../core/delivery/retry-policy.js';
import type { DeliveryObserver, TriggerResult } from '../../core/metrics/delivery-observer.js';

/** Counts records per status for the gauge; called on scrape. */
export type StatusCounter = () => Promise<Partial<Record<NotificationStatus, number>>>;

/** What the RPC transport holds and has refused (the listener's memory guard). */
export interface TransportStats {
  readonly bufferedRequestBytes: number;
  readonly unsentResponseBytes: number;
  readonly refused: Readonly<Record<string, number>>;
}

/**
 * Prometheus metrics of one gateway process (own registry, so several gateways in one process,
 * as in tests, never share counters). Served as text at /metrics.
 */
export class GatewayMetrics implements DeliveryObserver {
  readonly registry = new Registry();
  private readonly triggers: Counter<'result'>;
  private readonly deliveries: Counter<'channel' | 'outcome' | 'error_code'>;
  private readonly retries: Counter<'channel'>;
  private readonly rateLimitWaits: Counter<'channel'>;
  private readonly callbacks: Counter<'channel' | 'result'>;
  private readonly deliveryDuration: Histogram<'channel'>;
  private readonly queueLag: Histogram<'channel'>;
  private transportStats: (() => TransportStats) | undefined;

  constructor(countByStatus?: StatusCounter, deadLetterDepth?: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'notify_process_' });
    const registers = [this.registry];
    this.triggers = new Counter({
      name: 'notify_triggers_total',
      help: 'Trigger results per channel record',
      labelNames: ['result'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'notify_deliveries_total',
      help: 'Provider calls by channel, outcome and error code',
      labelNames: ['channel', 'outcome', 'error_code'],
      registers,
    });
    this.retries = new Counter({
      name: 'notify_retries_total',
      help: 'Deliveries scheduled for another attempt',
      labelNames: ['channel'],
      registers,
    });
    this.callbacks = new Counter({
      name: 'notify_callbacks_total',
      help: 'Provider callbacks (card buttons) by result: acknowledged, already_acknowledged, challenge, replayed, or the rejection reason',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: 'notify_rate_limit_waits_total',
      help: 'Provider rate-limit answers (retried without spending an attempt)',
      labelNames: ['channel'],
      registers,
    });
    this.deliveryDuration = new Histogram({
      name: 'notify_delivery_duration_seconds',
      help: 'Provider call duration',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.queueLag = new Histogram({
      name: 'notify_queue_lag_seconds',
      help: 'From a record becoming due to a worker claiming it',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
      registers,
    });
    if (deadLetterDepth) {
      new Gauge({
        name: 'notify_dead_letters',
        help: 'Messages in notify.dead (from the broker, on scrape)',
        registers,
        async collect() {
          // A broker that is down must not take /metrics with it: the gauge keeps its last value.
          const depth = await deadLetterDepth().catch(() => undefined);
          if (depth !== undefined) this.set(depth);
        },
      });
    }
    const transport = (): TransportStats | undefined => this.transportStats?.();
    new Gauge({
      name: 'notify_rpc_buffered_request_bytes',
      help: 'Request-body bytes the RPC listener holds now (bounded by server.maxBufferedRequestBytes)',
      registers,
      collect() {
        this.set(transport()?.bufferedRequestBytes ?? 0);
      },
    });
    new Gauge({
      name: 'notify_rpc_unsent_response_bytes',
      help: 'Response bytes written but not yet taken by clients (bounded by server.maxUnsentResponseBytes)',
      registers,
      collect() {
        this.set(transport()?.unsentResponseBytes ?? 0);
      },
    });
    new Counter({
      name: 'notify_rpc_refused_total',
      help: 'Requests and responses the RPC listener stopped to bound memory, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(transport()?.refused ?? {})) this.inc({ reason }, count);
      },
    });
    if (countByStatus) {
      new Gauge({
        name: 'notify_records',
        help: 'Notification records by status (from the database, on scrape)',
        labelNames: ['status'],
        registers,
        async collect() {
          const counts = await countByStatus();
          for (const status of NOTIFICATION_STATUSES) this.set({ status }, counts[status] ?? 0);
        },
      });
    }
  }

  /** One provider callback and what became of it. */
  callbackHandled(channel: string, result: string): void {
    this.callbacks.inc({ channel, result });
  }

  triggered(result: TriggerResult): void {
    this.triggers.inc({ result });
  }

  claimed(channel: string, lagMs: number): void {
    this.queueLag.observe({ channel }, Math.max(0, lagMs) / 1000);
  }

  attemptFinished(record: NotificationRecord, result: SendResult, durationMs: number): void {
    const channel = record.channel;
    this.deliveries.inc({ channel, outcome: result.outcome, error_code: result.errorCode ?? '' });
    this.deliveryDuration.observe({ channel }, durationMs / 1000);
    if (record.status === 'failed') this.retries.inc({ channel });
    if (isRateLimited(result)) this.rateLimitWaits.inc({ channel });
  }

  /** Reads the RPC listener's memory guard on every scrape. */
  observeTransport(stats: () => TransportStats): void {
    this.transportStats = stats;
  }

  /** Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
