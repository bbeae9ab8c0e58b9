/**
 * The channel plugin contract. Plugins import only this module (`notify-gateway/contract` for
 * third parties); it imports nothing else from the gateway.
 */
export type { DeliveryOutcome } from './outcome.js';
export { DELIVERY_OUTCOMES, ProviderErrorCode } from './outcome.js';
export type { SendRequest, SendResult, SendTarget } from './send.js';
export type {
  CallbackAnswerInput,
  CallbackRejection,
  CallbackRequest,
  CallbackVerdict,
  MessageState,
  RecallRequest,
  UpdateRequest,
} from './lifecycle.js';
export type { ChannelPlugin, ChannelProvider, PluginContext, PluginLogger, SettingSpec } from './plugin.js';
export { definePlugin } from './plugin.js';
export { CONTRACT_VERSION } from './version.js';
export { ConfigError, SettingsError } from './errors.js';
export { parseStrictObject, readInteger, readBoolean, readString, readStringList } from './config-reader.js';
