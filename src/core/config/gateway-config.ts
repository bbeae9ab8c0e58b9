import { z } from 'zod';
import { checkRuleReferences, groupsSchema, ruleSchema } from '../event/routing-rules.js';

const CHANNEL_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SCOPES = ['trigger', 'read', 'config', 'metrics', 'admin'] as const;

/** An API-key scope (README.md, API). `admin` implies every other scope. */
export type Scope = (typeof SCOPES)[number];

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Largest accepted request body; bigger ones get ResourceExhausted. */
    maxRequestBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /** Triggers processed at once; more get ResourceExhausted (`overloaded`) instead of queueing. */
    maxInFlightTriggers: z.number().int().positive().default(256),
    /**
     * HTTP/2 streams one client connection may have open (SETTINGS_MAX_CONCURRENT_STREAMS). grpc-js,
     * Go and Java clients queue calls beyond it; Node's http2 client (connect-node) assumes 100 until
     * the server's SETTINGS arrive, so a cap below 100 refuses part of its first burst (REFUSED_STREAM).
     */
    maxConcurrentStreams: z.number().int().positive().default(100),
    /** Request-body bytes buffered at once by the whole process; beyond it requests are refused. */
    maxBufferedRequestBytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024),
    /** Request-body bytes buffered at once for one client connection; beyond it requests are refused. */
    maxBufferedRequestBytesPerConnection: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    /** Response bytes written but not yet taken by clients, process-wide; beyond it responses are cut. */
    maxUnsentResponseBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
    /** A request whose body has not fully arrived this long after its headers is refused. */
    requestBodyTimeoutMs: z.number().int().positive().default(10_000),
    /** A response the client has not taken in full this long after it was written is cut. */
    responseTimeoutMs: z.number().int().positive().default(30_000),
    /** An HTTP/2 connection with no open stream for this long is closed (GOAWAY). */
    idleTimeoutMs: z.number().int().positive().default(30_000),
    /** Memory one HTTP/2 session (nghttp2 state and queued frames) may use; beyond it new streams are refused. */
    http2MaxSessionMemoryMb: z.number().int().positive().default(10),
    /**
     * Accept (and drop) request JSON fields and enum names the schema does not know, for callers built
     * against a newer schema. Default false: INVALID_ARGUMENT naming the field, so a typo such as
     * "critcal" is never silently ignored.
     */
    allowUnknownFields: z.boolean().default(false),
    /** /metrics answers 401 unless called with an API key holding the `metrics` (or `admin`) scope. */
    metricsRequireKey: z.boolean().default(false),
    /** How long SIGTERM waits for in-flight RPCs and deliveries. */
    shutdownGraceMs: z.number().int().nonnegative().default(15_000),
    /** WatchNotifications streams one api process serves at once; more get ResourceExhausted. */
    maxWatchStreams: z.number().int().positive().default(1000),
    /** Browser origins allowed to call the API (Connect, gRPC-Web); empty: no CORS. */
    cors: z
      .strictObject({
        allowedOrigins: z
          .array(
            z
              .string()
              .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be an origin such as https://app.example.com, or *'),
          )
          .default([]),
      })
      .default({ allowedOrigins: [] }),
  })
  // A budget smaller than one allowed request would refuse every request of the largest size.
  .refine((server) => server.maxBufferedRequestBytesPerConnection >= server.maxRequestBytes, {
    message: 'must be at least server.maxRequestBytes',
    path: ['maxBufferedRequestBytesPerConnection'],
  })
  .refine((server) => server.maxBufferedRequestBytes >= server.maxBufferedRequestBytesPerConnection, {
    message: 'must be at least server.maxBufferedRequestBytesPerConnection',
    path: ['maxBufferedRequestBytes'],
  });

const consoleSchema = z.strictObject({
  /** Serve the operator console at /console/ on the RPC port (api and all modes). */
  enabled: z.boolean().default(true),
});

const databaseSchema = z.strictObject({
  /** `mysql://user:pass@host:3306/db`, or `sqlite:<path>` for the embedded store. */
  url: z.string().min(1).default('sqlite:.data/notify.sqlite'),
  /** Connections for the API (inserts) and, separately, for the worker (updates). */
  poolSize: z.number().int().positive().default(10),
});

const brokerSchema = z.strictObject({
  /** `amqp://user:pass@host:5672/vhost`, or `memory` for the in-process bus. */
  url: z.string().min(1).default('memory'),
  /** Prefix for every exchange and queue name, so several gateways can share a broker. */
  namePrefix: z.string().default(''),
  /** Unacked deliveries one worker handles at once. */
  prefetch: z.number().int().positive().max(1000).default(32),
  /** After this many redeliveries a message is dead-lettered to notify.dead. */
  deliveryLimit: z.number().int().positive().default(20),
  /** Pause before an event whose handler failed (database down, …) is offered again. */
  redeliveryDelayMs: z.number().int().nonnegative().default(1000),
  /** Messages notify.dead keeps; beyond it the oldest are dropped, so dead-lettering is bounded. */
  deadLetterMaxLength: z.number().int().positive().default(10_000),
  /** How long a message stays in notify.dead before the broker drops it (default 7 days). */
  deadLetterTtlMs: z.number().int().positive().default(604_800_000),
  retryTiersMs: z.array(z.number().int().positive()).min(1).optional(),
  /** Client `connection_name` shown by the broker; lets operators (and fault tests) tell gateways apart. */
  connectionName: z.string().min(1).max(255).default('notify-gateway'),
});

const apiKeySchema = z.strictObject({
  name: z.string().min(1),
  /** Hex SHA-256 of the key; the key itself is never stored. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters'),
  scopes: z.array(z.enum(SCOPES)).min(1),
});

const authSchema = z.strictObject({
  apiKeys: z.array(apiKeySchema).default([]),
  /** Allow calls without a key when no keys are configured on a non-loopback host. */
  allowAnonymous: z.boolean().default(false),
});

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100).default(6),
  initialDelayMs: z.number().int().positive().default(1000),
  multiplier: z.number().min(1).default(4),
  maxDelayMs: z.number().int().positive().default(3_600_000),
  /** `full` = uniform in [0, delay] (AWS "full jitter"); `none` for predictable tests. */
  jitter: z.enum(['full', 'none']).default('full'),
  /** Rate-limited calls do not spend attempts; this caps them so nothing loops forever. */
  maxRateLimitedCalls: z.number().int().nonnegative().default(50),
});

const workerSchema = z
  .strictObject({
    /** How long a claimed record stays `sending` before another worker may recover it. */
    leaseMs: z.number().int().positive().default(60_000),
    /** A provider call is abandoned (temporary provider_timeout) after this long. */
    sendTimeoutMs: z.number().int().positive().default(30_000),
    /** In `worker` mode, serve /healthz, /readyz and /metrics on this port (unset: no HTTP). */
    httpPort: z.number().int().min(0).max(65535).optional(),
  })
  // A lease shorter than a send would let the scanner recover a live call and send it twice.
  .refine((worker) => worker.leaseMs > worker.sendTimeoutMs, {
    message: 'worker.leaseMs must be greater than worker.sendTimeoutMs',
    path: ['leaseMs'],
  });

const scannerSchema = z.strictObject({
  intervalMs: z.number().int().positive().default(1000),
  batchSize: z.number().int().positive().max(1000).default(100),
  /** A due pending/failed row untouched this long is republished (outbox relay). */
  relayGraceMs: z.number().int().nonnegative().default(10_000),
  /**
   * Wait this long past a lease's expiry before recovering it. A live worker cut off from the
   * database (it knows the provider's answer) then records it first when the database returns,
   * instead of the record being resent (a duplicate on providers without idempotency).
   */
  leaseRecoveryGraceMs: z.number().int().nonnegative().default(10_000),
  /** What to do when a lease expires on a provider without idempotency: `retry` or `dead`. */
  unknownOutcomePolicy: z.enum(['retry', 'dead']).default('retry'),
});

const deliverySchema = z.strictObject({
  /**
   * Longest accepted rendered text, in characters. At most 4,000,000: message_text is MEDIUMTEXT
   * (16 MiB), which that many 4-byte characters still fit.
   */
  maxTextLength: z.number().int().positive().max(4_000_000).default(4000),
  /** Sent (with fallback_used = true) when a template is missing or renders empty. */
  fallbackText: z.string().min(1).default('You have a new notification.'),
  /** Templates per trigger_type: `{{variable}}` placeholders, plus {{target_url}}. */
  templates: z.record(z.string(), z.string()).default({}),
});

const secretsSchema = z.strictObject({
  /** Store channel settings unencrypted when no key is configured (embedded dev only). */
  allowPlaintext: z.boolean().default(false),
});

/** Status-callback event types (issue 17): record statuses and later lifecycle events. */
export const CALLBACK_EVENTS = ['sent', 'dead', 'skipped', 'acknowledged', 'coalesced', 'escalated'] as const;

/** One status-callback endpoint; a trigger names it by `id` in its `callback` field. */
const callbackSchema = z.strictObject({
  id: z.string().regex(CHANNEL_ID, 'must match [a-z0-9][a-z0-9_-]*'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** Standard Webhooks signing secret: `whsec_` + base64 of 24 to 64 random bytes. */
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,86}={0,2}$/, 'must be whsec_<base64 of 24-64 bytes>'),
  events: z.array(z.enum(CALLBACK_EVENTS)).min(1).default(['sent', 'dead', 'skipped']),
  /** Allow a plain http:// URL (local receivers). */
  allowHttp: z.boolean().default(false),
  /** Allow a URL whose host resolves to a private or loopback address (local receivers). */
  allowPrivateNetwork: z.boolean().default(false),
});

/** How status callbacks are delivered (their own retry ladder, apart from notifications'). */
const callbackDeliverySchema = z.strictObject({
  /** POSTs (first one included) before a callback delivery is given up as `dead`. */
  maxAttempts: z.number().int().min(1).max(100).default(8),
  initialDelayMs: z.number().int().positive().default(1000),
  multiplier: z.number().min(1).default(4),
  maxDelayMs: z.number().int().positive().default(3_600_000),
  /** Whole-request budget of one POST. */
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
  /** How often each worker looks for due callback deliveries. */
  pollIntervalMs: z.number().int().positive().default(500),
  /** Callback POSTs one worker makes at once. */
  concurrency: z.number().int().positive().max(256).default(8),
});

const channelSchema = z.strictObject({
  id: z.string().regex(CHANNEL_ID, 'must match [a-z0-9][a-z0-9_-]* (used in routing keys)'),
  /** A built-in plugin id, or a module path / package name exporting a plugin. */
  plugin: z.string().min(1),
  /** Plugin-specific; validated by the plugin itself. */
  config: z.unknown().optional(),
});

/** Levels `log.level` accepts (pino's, plus `silent`); anything else is a config error at boot. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One binding of a durable queue to a caller's existing exchange (events in, no code change there). */
const ingestAmqpSchema = z.strictObject({
  /** The caller's exchange (must exist; the gateway never declares or changes it). */
  exchange: z.string().min(1),
  /** Routing keys (topic patterns on a topic exchange) the queue is bound with. */
  bindingKeys: z.array(z.string().min(1)).min(1),
  /** Queue name (default `<broker.namePrefix>notify.ingest.<exchange>`). */
  queue: z.string().min(1).max(255).optional(),
});

const ingestSchema = z.strictObject({
  amqp: z.array(ingestAmqpSchema).default([]),
});

/** The whole config file (README.md, Configuration). Unknown keys are rejected with their path. */
export const gatewayConfigSchema = z
  .strictObject({
    server: serverSchema.default(serverSchema.parse({})),
    database: databaseSchema.default(databaseSchema.parse({})),
    broker: brokerSchema.default(brokerSchema.parse({})),
    auth: authSchema.default(authSchema.parse({})),
    retry: retrySchema.default(retrySchema.parse({})),
    worker: workerSchema.default(workerSchema.parse({})),
    scanner: scannerSchema.default(scannerSchema.parse({})),
    delivery: deliverySchema.default(deliverySchema.parse({})),
    secrets: secretsSchema.default(secretsSchema.parse({})),
    callbacks: z
      .array(callbackSchema)
      .default([])
      .refine((callbacks) => new Set(callbacks.map((c) => c.id)).size === callbacks.length, {
        message: 'callback ids must be unique',
      }),
    callbackDelivery: callbackDeliverySchema.default(callbackDeliverySchema.parse({})),
    console: consoleSchema.default(consoleSchema.parse({})),
    log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).default({ level: 'info' }),
    channels: z
      .array(channelSchema)
      .default([{ id: 'mock', plugin: 'mock' }])
      .refine((channels) => new Set(channels.map((c) => c.id)).size === channels.length, {
        message: 'channel ids must be unique',
      }),
    /** Named lists of user ids that routing rules address. */
    groups: groupsSchema.default({}),
    /** Event routing rules, first match wins (none: the built-in default rule). */
    rules: z.array(ruleSchema).default([]),
    /** Event ingestion from the caller's own broker. */
    ingest: ingestSchema.default({ amqp: [] }),
  })
  .superRefine((config, context) => {
    const channelIds = new Set(config.channels.map((channel) => channel.id));
    for (const issue of checkRuleReferences(
      config.rules,
      config.groups,
      channelIds,
      config.delivery.templates,
    ))
      context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (config.ingest.amqp.length > 0 && !/^amqps?:\/\//.test(config.broker.url))
      context.addIssue({ code: 'custom', path: ['ingest', 'amqp'], message: 'needs an amqp:// broker.url' });
  });

/** The validated gateway configuration. */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type RetryConfig = GatewayConfig['retry'];
export type ChannelConfigEntry = GatewayConfig['channels'][number];
export type CallbackConfig = GatewayConfig['callbacks'][number];
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];
