/** Library entry: embed the gateway in another process, or build a third-party plugin. */
export {
  startGateway,
  BUILTIN_PLUGINS,
  type GatewayMode,
  type GatewayOptions,
  type RunningGateway,
} from './server.js';
export { loadGatewayConfig, parseGatewayConfig } from './core/config/load-config.js';
export type { GatewayConfig } from './core/config/gateway-config.js';
export * from './core/contract/index.js';
