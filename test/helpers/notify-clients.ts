import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { NotificationStatus, type Notification } from '../../src/gen/notify/v1/notification_pb.js';
import { NotificationService } from '../../src/gen/notify/v1/notification_service_pb.js';
import { waitFor } from './wait-for.js';

export type NotificationClient = Client<typeof NotificationService>;

/** A connect-node client speaking gRPC over HTTP/2 (default) or Connect over HTTP/1.1. */
export function notificationClient(
  baseUrl: string,
  protocol: 'grpc' | 'connect-h1' = 'grpc',
  apiKey?: string,
): NotificationClient {
  const interceptors = apiKey
    ? [
        (next: Parameters<import('@connectrpc/connect').Interceptor>[0]) =>
          (request: Parameters<typeof next>[0]) => {
            request.header.set('authorization', `Bearer ${apiKey}`);
            return next(request);
          },
      ]
    : [];
  const transport =
    protocol === 'grpc'
      ? createGrpcTransport({ baseUrl, interceptors })
      : createConnectTransport({ baseUrl, httpVersion: '1.1', interceptors });
  return createClient(NotificationService, transport);
}

const TERMINAL = new Set([
  NotificationStatus.SENT,
  NotificationStatus.DEAD,
  NotificationStatus.SKIPPED,
  NotificationStatus.CANCELLED,
]);

/** Poll GetNotification until the record is terminal (or `until` says so); returns it with attempts. */
export async function waitForTerminal(
  client: NotificationClient,
  id: string,
  timeoutMs = 20_000,
  until: (n: Notification) => boolean = (n) => TERMINAL.has(n.status),
): Promise<Notification> {
  let last: Notification | undefined;
  await waitFor(
    async () => {
      last = (await client.getNotification({ id })).notification;
      return last !== undefined && until(last);
    },
    `notification ${id} to finish`,
    timeoutMs,
  );
  return last as Notification;
}
