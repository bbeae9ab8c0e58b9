import type { IngestHandler, IngestVerdict } from './ingest-source.js';
import { GatewayError } from '../shared/gateway-error.js';
import type { EventInput } from './event.js';
import type { EventService } from './event-service.js';

/** What ingesting broker messages as events needs; injected by the composition root. */
export interface EventIngestionDependencies {
  readonly events: EventService;
  /** Body → event input; throws a GatewayError (invalid_argument) for a body that is not an Event. */
  readonly decode: (body: Buffer, contentType: string | undefined) => EventInput;
  /** Counts a dead-lettered message by reason (metrics). */
  readonly onRejected: (reason: string) => void;
}

/** Errors no redelivery can fix: the message is dead-lettered once instead. */
function isPermanent(error: unknown): error is GatewayError {
  return (
    error instanceof GatewayError && (error.kind === 'invalid_argument' || error.kind === 'already_exists')
  );
}

/**
 * The handler of an `ingest.amqp` queue: decode the body as an Event (proto JSON, or protobuf by
 * content type), publish it through the same EventService as PublishEvent, and ack once it is
 * committed. A body that is not a valid event (or reuses an event_id with another payload) is
 * dead-lettered with its reason; anything else (database down) is thrown for a later redelivery.
 */
export function createEventIngestHandler(deps: EventIngestionDependencies): IngestHandler {
  const reject = (error: GatewayError): IngestVerdict => {
    deps.onRejected(error.reason);
    return { deadLetter: error.reason, detail: error.message };
  };
  return async (message) => {
    let input: EventInput;
    try {
      input = deps.decode(message.body, message.contentType);
    } catch (error) {
      if (isPermanent(error)) return reject(error);
      throw error;
    }
    try {
      await deps.events.publish(input, 'amqp');
      return 'ack';
    } catch (error) {
      if (isPermanent(error)) return reject(error);
      throw error;
    }
  };
}
