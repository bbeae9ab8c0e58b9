import type { Subscription } from '../delivery/message-bus.js';

/** A queue bound to a caller's existing exchange (config `ingest.amqp[]`). */
export interface IngestBinding {
  readonly exchange: string;
  readonly bindingKeys: readonly string[];
  /** The full queue name (already prefixed or chosen by the operator). */
  readonly queue: string;
}

/** A message as it arrived from the caller's broker, before anyone decoded it. */
export interface RawMessage {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly routingKey: string;
}

/**
 * What to do with a message: `ack` once handled (the event committed), or dead-letter it once
 * with a stable reason (it can never become valid). A handler that throws asks for a redelivery
 * later (the database is down, …), bounded by the queue's delivery limit.
 */
export type IngestVerdict = 'ack' | { readonly deadLetter: string; readonly detail: string };

export type IngestHandler = (message: RawMessage) => Promise<IngestVerdict>;

/** A broker that can consume caller-owned exchanges (the RabbitMQ bus; the in-process bus cannot). */
export interface IngestSource {
  /**
   * Declare the queue, bind it with every key, and consume it; re-attached after every reconnect.
   * An exchange that does not exist (yet) is logged and retried, never fatal to the bus.
   */
  consumeBinding(
    binding: IngestBinding,
    handler: IngestHandler,
    options: { prefetch: number },
  ): Promise<Subscription>;
}

/** Header of a dead-lettered ingest message that says why it was rejected. */
export const DEAD_REASON_HEADER = 'x-notify-dead-reason';
/** Header with the human-readable detail of the rejection (no secrets: the decoder's message). */
export const DEAD_DETAIL_HEADER = 'x-notify-dead-detail';
