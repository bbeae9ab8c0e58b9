import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { EventService } from '../../src/gen/notify/v1/event_service_pb.js';

export type EventClient = Client<typeof EventService>;

/** A gRPC transport that sends `apiKey` as a bearer token when given. */
function transport(baseUrl: string, apiKey?: string) {
  return createGrpcTransport({
    baseUrl,
    interceptors: apiKey
      ? [
          (next) => (request) => {
            request.header.set('authorization', `Bearer ${apiKey}`);
            return next(request);
          },
        ]
      : [],
  });
}

/** A connect-node gRPC client of notify.v1.EventService. */
export function eventClient(baseUrl: string, apiKey?: string): EventClient {
  return createClient(EventService, transport(baseUrl, apiKey));
}

/** Enables the `mock` channel for each user (so the default "enabled channels" find it). */
export async function enableMock(
  baseUrl: string,
  userIds: readonly string[],
  channel = 'mock',
  apiKey?: string,
): Promise<void> {
  const configs = createClient(ConfigService, transport(baseUrl, apiKey));
  for (const userId of userIds) await configs.upsertChannelConfig({ userId, channel, enabled: true });
}
