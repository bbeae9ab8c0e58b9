import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SendResult } from '../../core/contract/index.js';
import {
  NOTIFICATION_STATUSES,
  type NotificationRecord,
  type NotificationStatus,
} from '../../core/notification/notification-record.js';
import { isRateLimited } from '../../core/delivery/retry-policy.js';
import type { DeliveryObserver, TriggerResult } from '../../core/metrics/delivery-observer.js';
import type { CallbackObserver } from '../../core/callbacks/callback-dispatcher.js';

/** Counts records per status for the gauge; called on scrape. */
export type StatusCounter = () => Promise<Partial<Record<NotificationStatus, number>>>;

/** What the RPC transport holds and has refused (the listener's memory guard). */
export interface TransportStats {
  readonly bufferedRequestBytes: number;
  readonly unsentResponseBytes: number;
  readonly refused: Readonly<Record<string, number>>;
}

/**
 * Gauges read from shared state (the database, the broker) on scrape. Give them to one kind of
 * process only (the api): exported by every api and worker, a sum over targets would count each
 * record several times.
 */
export interface SharedStateGauges {
  /** Records per status (`notify_records`). */
  readonly countByStatus?: StatusCounter;
  /** Messages waiting in `notify.dead` (`notify_dead_letter_messages`). */
  readonly deadLetterDepth?: () => Promise<number>;
}

/**
 * Default Node.js metrics that break Prometheus naming (a gauge must not end in `_total`); the
 * same numbers stay available per type in `notify_nodejs_active_{handles,requests,resources}`.
 */
const MISNAMED_DEFAULT_METRICS = [
  'notify_nodejs_active_handles_total',
  'notify_nodejs_active_requests_total',
  'notify_nodejs_active_resources_total',
];

/** Latency buckets of RPCs, in seconds: 1 ms to 10 s. */
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Prometheus metrics of one gateway process (own registry, so several gateways in one process,
 * as in tests, never share counters). Served as text at /metrics.
 */
export class GatewayMetrics implements DeliveryObserver, CallbackObserver {
  readonly registry = new Registry();
  private readonly triggers: Counter<'result'>;
  private readonly deliveries: Counter<'channel' | 'outcome' | 'error_code'>;
  private readonly retries: Counter<'channel'>;
  private readonly rateLimitWaits: Counter<'channel'>;
  private readonly callbacks: Counter<'channel' | 'result'>;
  private readonly deliveryDuration: Histogram<'channel'>;
  private readonly queueLag: Histogram<'channel'>;
  private readonly statusCallbacks: Counter<'callback' | 'result'>;
  private readonly statusCallbackDuration: Histogram<'callback'>;
  private transportStats: (() => TransportStats) | undefined;
  private readonly rpcRequests: Counter<'method' | 'code'>;
  private readonly rpcDuration: Histogram<'method' | 'code'>;

  constructor(shared: SharedStateGauges = {}) {
    // prom-client's default names already start with process_ or nodejs_: `notify_` alone
    // namespaces them (the old `notify_process_` prefix produced notify_process_process_*).
    collectDefaultMetrics({ register: this.registry, prefix: 'notify_' });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    this.rpcRequests = new Counter({
      name: 'notify_rpc_requests_total',
      help: 'RPCs handled, by full method name and gRPC status code',
      labelNames: ['method', 'code'],
      registers,
    });
    this.rpcDuration = new Histogram({
      name: 'notify_rpc_duration_seconds',
      help: 'RPC handling time (to the end of the response stream), by method and gRPC status code',
      labelNames: ['method', 'code'],
      buckets: RPC_BUCKETS,
      registers,
    });
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
    this.statusCallbacks = new Counter({
      name: 'notify_status_callbacks_total',
      help: 'Status callback POSTs by callback id and result (delivered, retry, dead)',
      labelNames: ['callback', 'result'],
      registers,
    });
    this.statusCallbackDuration = new Histogram({
      name: 'notify_status_callback_duration_seconds',
      help: 'Status callback POST duration',
      labelNames: ['callback'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
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
    const { countByStatus, deadLetterDepth } = shared;
    if (deadLetterDepth) {
      new Gauge({
        name: 'notify_dead_letter_messages',
        help: 'Messages waiting in notify.dead (from the broker, on scrape)',
        registers,
        async collect() {
          // NaN (unknown) rather than a failed scrape: /metrics matters most while the broker is down.
          this.set(await deadLetterDepth().catch(() => Number.NaN));
        },
      });
    }
    if (countByStatus) {
      new Gauge({
        name: 'notify_records',
        help: 'Notification records by status (from the database, on scrape)',
        labelNames: ['status'],
        registers,
        async collect() {
          // No samples rather than a failed scrape while the database is unreachable.
          const counts = await countByStatus().catch(() => undefined);
          if (!counts) return this.reset();
          for (const status of NOTIFICATION_STATUSES) this.set({ status }, counts[status] ?? 0);
        },
      });
    }
  }

  /** One provider callback and what became of it. */
  callbackHandled(channel: string, result: string): void {
    this.callbacks.inc({ channel, result });
  }

  /** One RPC ended with `code` (gRPC canonical name, e.g. `OK`, `INVALID_ARGUMENT`) after `seconds`. */
  rpcFinished(method: string, code: string, seconds: number): void {
    this.rpcRequests.inc({ method, code });
    this.rpcDuration.observe({ method, code }, seconds);
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

  callbackAttempted(callbackId: string, result: 'delivered' | 'retry' | 'dead', durationMs: number): void {
    this.statusCallbacks.inc({ callback: callbackId, result });
    this.statusCallbackDuration.observe({ callback: callbackId }, durationMs / 1000);
  }

  /** Exports the number of open WatchNotifications streams, read on scrape. */
  watchStreams(count: () => number): void {
    new Gauge({
      name: 'notify_watch_streams',
      help: 'Open WatchNotifications streams',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
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
