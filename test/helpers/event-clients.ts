import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { EventService } from '../../src/gen/notify/v1/event_service_pb.js';

export type EventClient = Client<typeof EventService>;

/** A connect-node gRPC client of notify.v1.EventService. */
export function eventClient(baseUrl: string): EventClient {
  return createClient(EventService, createGrpcTransport({ baseUrl }));
}

/** Enables the `mock` channel for each user (so the default "enabled channels" find it). */
export async function enableMock(
  baseUrl: string,
  userIds: readonly string[],
  channel = 'mock',
): Promise<void> {
  const configs = createClient(ConfigService, createGrpcTransport({ baseUrl }));
  for (const userId of userIds) await configs.upsertChannelConfig({ userId, channel, enabled: true });
}
