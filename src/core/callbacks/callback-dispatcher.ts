import type { CallbackConfig, GatewayConfig } from '../config/gateway-config.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { CallbackDelivery, CallbackStore } from './callback-store.js';
import { withCallbackSpan } from '../telemetry/tracing.js';
import { secretKeyOf, signWebhook, type StandardWebhookHeaders } from './standard-webhooks.js';

/** The reported record's trace id, from the callback body (so the attempt joins its trace). */
function traceIdOf(payload: string): string {
  try {
    const traceId = (JSON.parse(payload) as { data?: { trace_id?: unknown } }).data?.trace_id;
    return typeof traceId === 'string' ? traceId : '';
  } catch {
    return '';
  }
}

/** What one POST to a receiver ended in: its HTTP status, or a transport error (no answer). */
export type CallbackPostResult = { readonly status: number } | { readonly error: string };

/**
 * Sends one signed callback body. Built by the composition root on the webhook plugin's safe HTTP
 * agent (SSRF rules at connect time); never throws.
 */
export type CallbackSender = (
  callback: CallbackConfig,
  body: string,
  headers: StandardWebhookHeaders,
) => Promise<CallbackPostResult>;

/** Told about every POST (metrics). */
export interface CallbackObserver {
  callbackAttempted(callbackId: string, result: 'delivered' | 'retry' | 'dead', durationMs: number): void;
}

/** Delay before attempt `attemptNo + 1` (attempts counted from 1): exponential, capped, with full jitter. */
export function callbackBackoffMs(
  attemptNo: number,
  ladder: GatewayConfig['callbackDelivery'],
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(ladder.maxDelayMs, ladder.initialDelayMs * ladder.multiplier ** (attemptNo - 1));
  // Half fixed, half jittered: receivers recovering from an outage are not hit by every gateway at once.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Delivers the callbacks' outbox (worker side): every `pollIntervalMs` it claims due deliveries, POSTs
 * each with Standard Webhooks headers (a fresh timestamp and signature per attempt, the same
 * webhook-id), and records delivered (2xx), a retry on the callbacks' own ladder, or dead after
 * `maxAttempts`. At least once: a delivery is only marked delivered after a 2xx answer.
 */
export class CallbackDispatcher {
  private readonly byId: ReadonlyMap<string, { config: CallbackConfig; key: Buffer }>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      readonly store: CallbackStore;
      readonly callbacks: readonly CallbackConfig[];
      readonly ladder: GatewayConfig['callbackDelivery'];
      readonly send: CallbackSender;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly observer?: CallbackObserver;
    },
  ) {
    this.byId = new Map(
      deps.callbacks.map((config) => [config.id, { config, key: secretKeyOf(config.secret) }]),
    );
  }

  /** Starts polling (no-op when no callbacks are configured). */
  start(): void {
    if (this.byId.size === 0 || this.stopped) return;
    this.schedule(0);
  }

  /** Stops polling and waits for the POSTs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One poll: claim, send and record up to `concurrency` deliveries; returns how many it sent. */
  async runOnce(): Promise<number> {
    const { store, ladder, clock } = this.deps;
    const now = clock.now();
    // The claim holds a delivery for one POST's budget plus slack; a worker that dies mid-POST
    // leaves it due again afterwards (a retry: at least once).
    const leaseUntil = new Date(now.getTime() + ladder.timeoutMs * 2 + 1000);
    const claimed = await store.claimDue(now, leaseUntil, ladder.concurrency);
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: (error as Error).message }, 'callback poll failed'),
        )
        .then((sent) =>
          this.schedule(sent === this.deps.ladder.concurrency ? 0 : this.deps.ladder.pollIntervalMs),
        );
    }, delayMs);
  }

  private async deliver(delivery: CallbackDelivery): Promise<void> {
    const { ladder, clock, logger } = this.deps;
    const target = this.byId.get(delivery.callbackId);
    const started = clock.now();
    const attemptNo = delivery.attemptCount;
    let result: CallbackPostResult;
    if (!target) {
      result = { error: 'callback is no longer configured' };
    } else {
      const headers = signWebhook(target.key, delivery.id, started.getTime() / 1000, delivery.payload);
      result = await withCallbackSpan(
        {
          callbackId: delivery.callbackId,
          event: delivery.eventType,
          notificationId: delivery.notificationId,
        },
        traceIdOf(delivery.payload),
        () => this.deps.send(target.config, delivery.payload, headers),
      );
    }
    const now = clock.now();
    const ok = 'status' in result && result.status >= 200 && result.status < 300;
    const last = !ok && (attemptNo >= ladder.maxAttempts || !target);
    const status = ok ? 'delivered' : last ? 'dead' : 'pending';
    const error = ok ? null : 'status' in result ? `HTTP ${result.status}` : result.error.slice(0, 255);
    await this.deps.store.finishAttempt(delivery.id, delivery.version, {
      status,
      nextAttemptAt:
        status === 'pending' ? new Date(now.getTime() + callbackBackoffMs(attemptNo, ladder)) : now,
      lastError: error,
      lastStatusCode: 'status' in result ? result.status : null,
      deliveredAt: ok ? now : null,
      now,
    });
    const durationMs = now.getTime() - started.getTime();
    this.deps.observer?.callbackAttempted(
      delivery.callbackId,
      ok ? 'delivered' : last ? 'dead' : 'retry',
      durationMs,
    );
    const fields = {
      callback: delivery.callbackId,
      notification_id: delivery.notificationId,
      event: delivery.eventType,
      attempt_no: attemptNo,
      duration_ms: durationMs,
    };
    if (ok) logger.debug(fields, 'status callback delivered');
    else
      logger.warn(
        { ...fields, err: error, final: last },
        last ? 'status callback given up' : 'status callback failed; will retry',
      );
  }
}
