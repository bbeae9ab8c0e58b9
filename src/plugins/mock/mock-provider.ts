import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelProvider, SendRequest, SendResult } from '../../core/contract/index.js';
import type { MockConfig } from './mock-config.js';
import { answerFor } from './mock-script.js';

/** What the mock received for one successful send. */
export interface MockDelivery {
  readonly notificationId: string;
  readonly idempotencyKey: string;
  readonly attemptNo: number;
  readonly userId: string;
  readonly channel: string;
  readonly text: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly traceId: string;
  readonly previewId: string | undefined;
  readonly fallbackUsed: boolean | undefined;
  readonly severity: string | undefined;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  readonly receivedAt: Date;
}

/**
 * How many calls and deliveries the mock keeps: enough for tests, bounded for long runs (a heap
 * snapshot of the benchmark's worker found 10,000 kept calls holding about a third of its heap).
 */
export const MOCK_LOG_LIMIT = 2_000;

/** A call as the mock remembers it: the request without its abort signal. */
export type MockCall = Omit<SendRequest, 'signal'>;

function remember<T>(log: T[], entry: T): void {
  log.push(entry);
  if (log.length > MOCK_LOG_LIMIT) log.splice(0, log.length - MOCK_LOG_LIMIT);
}

/**
 * A channel that answers from a script instead of calling anyone: `mock_outcomes` and
 * `mock_latency_ms` in the trigger metadata override the channel config per request, so every
 * core path (retry, dead, rate limit, slow) is testable without Feishu.
 */
export class MockProvider implements ChannelProvider {
  readonly idempotent: boolean;
  /** Calls answered success, in order (duplicates included); the newest MOCK_LOG_LIMIT only. */
  readonly deliveries: MockDelivery[] = [];
  /** Every call, whatever the answer; the newest MOCK_LOG_LIMIT only. */
  readonly calls: MockCall[] = [];

  constructor(private readonly config: MockConfig) {
    this.idempotent = config.idempotent;
  }

  /** Distinct idempotency keys delivered: what a deduplicating provider would have shown. */
  uniqueDeliveryCount(): number {
    return new Set(this.deliveries.map((delivery) => delivery.idempotencyKey)).size;
  }

  async send(request: SendRequest): Promise<SendResult> {
    // Not the signal: it would keep each call's abort listeners and timers alive with it.
    const { signal: _signal, ...call } = request;
    remember(this.calls, call);
    try {
      return await this.answer(request);
    } catch (error) {
      // A plugin answers rather than throws: aborts (shutdown) and sink failures are temporary.
      const aborted = request.signal.aborted;
      return {
        outcome: 'temporary_fail',
        errorCode: aborted ? 'send_aborted' : 'network_error',
        errorMessage: aborted ? 'send aborted' : `mock sink failed: ${(error as Error).message}`,
        outcomeUnknown: !aborted,
      };
    }
  }

  private async answer(request: SendRequest): Promise<SendResult> {
    request.signal.throwIfAborted();
    const latency = Number(request.metadata.mock_latency_ms ?? this.config.latencyMs);
    if (latency > 0) await sleep(latency, undefined, { signal: request.signal });
    const answer = answerFor(request.metadata.mock_outcomes ?? this.config.outcomes, request.attemptNo);
    const requestPayload = { text: request.text, idempotency_key: request.idempotencyKey };
    if (answer.outcome !== 'success') {
      return {
        outcome: answer.outcome,
        errorCode: answer.errorCode,
        errorMessage: `mock answered ${answer.outcome}`,
        retryAfterMs: answer.retryAfterMs,
        requestPayload,
      };
    }
    const delivery: MockDelivery = {
      notificationId: request.notificationId,
      idempotencyKey: request.idempotencyKey,
      attemptNo: request.attemptNo,
      userId: request.userId,
      channel: request.channel,
      text: request.text,
      metadata: request.metadata,
      traceId: request.traceId,
      previewId: request.previewId,
      fallbackUsed: request.fallbackUsed,
      severity: request.severity,
      eventId: request.eventId,
      eventType: request.eventType,
      receivedAt: new Date(),
    };
    if (this.config.sinkUrl) await this.postToSink(delivery, request.signal);
    remember(this.deliveries, delivery);
    return {
      outcome: 'success',
      providerMessageId: `mock-${request.idempotencyKey}-${request.attemptNo}`,
      requestPayload,
      responsePayload: { ok: true },
    };
  }

  private async postToSink(delivery: MockDelivery, signal: AbortSignal): Promise<void> {
    const response = await fetch(this.config.sinkUrl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(delivery),
      signal,
    });
    if (!response.ok) throw new Error(`mock sink answered HTTP ${response.status}`);
  }
}
