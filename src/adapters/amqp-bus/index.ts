export { AmqpMessageBus, type AmqpMessageBusOptions } from './amqp-message-bus.js';
export type { BusLogger } from './bus-logger.js';
export { decodeEvent, encodeEvent } from './event-codec.js';
export {
  DEFAULT_DELIVERY_LIMIT,
  DEFAULT_RETRY_TIERS_MS,
  deleteTopology,
  tierFor,
  tierLabel,
  topologyNames,
  type RetryTier,
  type TopologyNames,
} from './topology.js';
