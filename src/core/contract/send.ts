import type { DeliveryOutcome } from './outcome.js';

/** Where the notification points the user; Feishu plugins render `url` as a link. */
export interface SendTarget {
  readonly type: string;
  readonly id: string;
  readonly url: string;
}

/** One delivery request handed to a provider. Immutable: providers must not keep it. */
export interface SendRequest {
  /** The notification record id. */
  readonly notificationId: string;
  /**
   * A stable key for this notification, at most 50 characters, identical on every retry: pass it
   * to providers that deduplicate (Feishu im/v1 `uuid`).
   */
  readonly idempotencyKey: string;
  /** 1 for the first call, counting every provider call for this notification. */
  readonly attemptNo: number;
  readonly userId: string;
  /** The channel id from the gateway config (not the plugin id). */
  readonly channel: string;
  /** The rendered text; never empty. */
  readonly text: string;
  readonly triggerId: string;
  readonly triggerType: string;
  readonly target: SendTarget | undefined;
  /** The user's current settings for this channel, decrypted (keys as the plugin declared). */
  readonly settings: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly traceId: string;
  /** Aborted when the gateway shuts down hard; providers should pass it to their HTTP client. */
  readonly signal: AbortSignal;
  /** The user's locale for this channel (`zh_cn` or `en_us`); absent means `zh_cn`. */
  readonly locale?: string;
  /** The trigger's preview id; card plugins link to it when set. */
  readonly previewId?: string;
  /**
   * `critical`, `warning` or `info` (events carry one; plain triggers take `metadata.severity`,
   * else `critical` when the trigger is critical, else `info`).
   */
  readonly severity?: string;
}

/** What a provider call ended in. Payloads are stored in the audit row and must be redacted. */
export interface SendResult {
  readonly outcome: DeliveryOutcome;
  /** Stable snake_case code (see ProviderErrorCode); required unless outcome is success. */
  readonly errorCode?: string;
  /** Human-readable detail; must not contain secrets or webhook URLs. */
  readonly errorMessage?: string;
  readonly providerMessageId?: string;
  /** Provider hint (e.g. Feishu x-ogw-ratelimit-reset): do not call again before this delay. */
  readonly retryAfterMs?: number;
  /**
   * True when the request may have reached the provider but no answer came back (a timeout after
   * the request was written). For providers that are not idempotent a retry may deliver twice.
   */
  readonly outcomeUnknown?: boolean;
  /** Redacted copy of what was sent, for the attempt row. */
  readonly requestPayload?: unknown;
  /** Redacted copy of what came back, for the attempt row. */
  readonly responsePayload?: unknown;
  /** True when the plugin could not render its rich form (e.g. a card) and sent the text instead. */
  readonly fallbackUsed?: boolean;
}
