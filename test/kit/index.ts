/**
 * The plugin author's test kit, published as `notify-gateway/testing` (built into
 * dist/test/kit): the conformance suite every channel plugin passes, and the Feishu emulator.
 * It runs under vitest, which the plugin's project provides (an optional peer dependency of
 * notify-gateway); nothing of the gateway's runtime imports this module.
 */
export {
  contractRequest,
  describePluginContract,
  expectWellFormed,
  type PluginContractSetup,
} from '../contract/plugin-contract-suite.js';
export {
  startFeishuEmulator,
  type AppOptions,
  type EmulatorClock,
  type Fault,
  type FaultRoute,
  type FeishuEmulator,
  type ReceivedMessage,
  type RequestRecord,
  type UserOptions,
  type WebhookOptions,
} from '../helpers/feishu-emulator/index.js';
