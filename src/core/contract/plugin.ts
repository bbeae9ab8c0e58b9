import type {
  CallbackAnswerInput,
  CallbackRequest,
  CallbackVerdict,
  RecallRequest,
  UpdateRequest,
} from './lifecycle.js';
import type { SendRequest, SendResult } from './send.js';

/** A per-user setting a plugin declares; shown by ListChannels, secrets masked on read. */
export interface SettingSpec {
  readonly key: string;
  readonly required: boolean;
  /** Encrypted at rest like every setting, and masked in every response and log. */
  readonly secret: boolean;
  readonly description: string;
}

/** Minimal structured logger handed to plugins (pino-compatible). */
export interface PluginLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** What the core gives a plugin when it creates a provider. */
export interface PluginContext {
  /** The channel id this provider serves. */
  readonly channel: string;
  readonly logger: PluginLogger;
  /** Injected clock so tests control time. */
  readonly now: () => Date;
}

/**
 * A live channel provider. It is shared by every concurrent delivery of its channel, so it must
 * keep no per-request mutable state.
 */
export interface ChannelProvider {
  /**
   * Whether the provider deduplicates calls with the same `idempotencyKey`, so a retry after an
   * unknown outcome cannot deliver twice (Feishu app bot: yes; webhook bot: no).
   */
  readonly idempotent: boolean;
  /**
   * How long the provider honours an idempotency key, in ms (Feishu `uuid`: 1 hour). Unset on an
   * idempotent provider means forever. A bulk redrive flags outcome-unknown records older than it.
   */
  readonly idempotencyWindowMs?: number;
  /** Deliver one message. Should not throw: a throw is recorded as a temporary plugin_error. */
  send(request: SendRequest): Promise<SendResult>;
  /**
   * Check setting values beyond presence (e.g. webhook URL rules). Throws SettingsError naming the
   * key. Declared-key presence and unknown keys are checked by the core before this is called.
   */
  validateSettings?(settings: Readonly<Record<string, string>>): void;
  /**
   * Change a sent message to a new state (acknowledged, resolved): edit it in place, or send a
   * short follow-up. `skipped` means nothing needed doing (e.g. follow-ups are off). Classified like
   * send; the core records an attempt row of kind `update` and retries temporary failures.
   */
  update?(request: UpdateRequest): Promise<SendResult>;
  /** Delete a sent message (kind `recall`). Absent when the provider cannot recall. */
  recall?(request: RecallRequest): Promise<SendResult>;
  /** How long after sending `recall` may be used; the core refuses later recalls itself. */
  readonly recallWindowMs?: number;
  /**
   * Verify and decode a provider callback (`POST /feishu/callback/{channel}`); must be fast and
   * never throw. Absent when the provider takes no callbacks.
   */
  verifyCallback?(request: CallbackRequest): CallbackVerdict;
  /** The HTTP JSON answer to an acknowledge callback (e.g. a toast and the updated card). */
  answerCallback?(input: CallbackAnswerInput): unknown;
  /** Release sockets and timers; called once at shutdown. */
  close?(): Promise<void>;
}

/** A channel plugin: metadata, a strict config parser and a provider factory. */
export interface ChannelPlugin<Config = unknown> {
  /** Unique id, referenced by `channels[].plugin` in the gateway config. */
  readonly id: string;
  /** The plugin's own version, logged when its channels load. */
  readonly version?: string;
  /**
   * The semver range of plugin contracts this plugin was written for (`'^1.0.0'`; see
   * CONTRACT_VERSION). A gateway whose contract is outside the range refuses to boot, naming the
   * plugin. Omitted: the plugin is loaded with a warning.
   */
  readonly contractVersion?: string;
  /** Per-user settings this plugin needs (keys of UpsertChannelConfig settings). */
  readonly settings: readonly SettingSpec[];
  /**
   * Parse and validate this plugin's channel config. Rejects unknown keys. Throws ConfigError with
   * `path` (e.g. `channels[1].config.timeoutMs`) prefixed to every problem.
   */
  parseConfig(raw: unknown, path: string): Config;
  /** Create the provider for one channel. Called once per configured channel at boot. */
  createProvider(config: Config, context: PluginContext): ChannelProvider;
}

/** Identity helper that gives a plugin definition its types (protobuf-es `definePlugin` style). */
export function definePlugin<Config>(plugin: ChannelPlugin<Config>): ChannelPlugin<Config> {
  return plugin;
}
