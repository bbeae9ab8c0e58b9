import type { GatewayConfig } from '../core/config/gateway-config.js';
import { ConfigError } from '../core/contract/index.js';
import type { Logger } from '../core/shared/logger.js';
import { AmqpMessageBus } from './amqp-bus/amqp-message-bus.js';
import { MemoryMessageBus } from './memory-bus/memory-bus.js';
import type { MessageBus } from '../core/delivery/message-bus.js';

/** The bus named by `broker.url`: `amqp://…`/`amqps://…` for RabbitMQ, `memory` in-process. */
export function openBus(broker: GatewayConfig['broker'], logger: Logger): MessageBus {
  const busLogger = logger.child({ component: 'bus' });
  if (broker.url === 'memory') {
    return new MemoryMessageBus({
      deliveryLimit: broker.deliveryLimit,
      redeliveryDelayMs: broker.redeliveryDelayMs,
      deadLetterMaxLength: broker.deadLetterMaxLength,
      logger: busLogger,
    });
  }
  if (!/^amqps?:\/\//.test(broker.url)) {
    throw new ConfigError('broker.url', 'must be an amqp:// or amqps:// URL, or "memory"');
  }
  return new AmqpMessageBus({
    url: broker.url,
    namePrefix: broker.namePrefix,
    retryTiersMs: broker.retryTiersMs,
    deliveryLimit: broker.deliveryLimit,
    redeliveryDelayMs: broker.redeliveryDelayMs,
    deadLetterLimits: { maxLength: broker.deadLetterMaxLength, ttlMs: broker.deadLetterTtlMs },
    connectionName: broker.connectionName,
    logger: busLogger,
  });
}
