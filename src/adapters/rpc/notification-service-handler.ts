import type { ServiceImpl } from '@connectrpc/connect';
import { NotificationService } from '../../gen/notify/v1/notification_service_pb.js';
import type { TriggerService } from '../../core/delivery/trigger-service.js';
import type { NotificationStatus } from '../../core/notification/notification-record.js';
import type { NotificationQueries } from '../../core/notification/notification-queries.js';
import { invalidField } from '../../core/shared/gateway-error.js';
import type { MessageLifecycle } from '../../core/lifecycle/message-lifecycle.js';
import { toConnectError } from './error-mapping.js';
import {
  dateFromProto,
  statusFromProto,
  toProtoNotification,
  triggerInputFromProto,
} from './notification-mapping.js';
import { RPC_TRACE_ID } from './rpc-observer-interceptor.js';

/** Run a handler body, mapping every error through the one error module. */
export async function mapErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toConnectError(error);
  }
}

/** notify.v1.NotificationService over the trigger path and the record queries. */
export function createNotificationServiceHandler(
  triggers: TriggerService,
  queries: NotificationQueries,
  lifecycle: MessageLifecycle,
): ServiceImpl<typeof NotificationService> {
  return {
    trigger: (request, context) =>
      mapErrors(async () => {
        // The caller's traceparent (or the server span's id): the record joins the RPC's trace.
        const traceId = context.values.get(RPC_TRACE_ID);
        const outcomes = await triggers.trigger(triggerInputFromProto(request, traceId), context.signal);
        return {
          notifications: outcomes.map((outcome) => toProtoNotification(outcome.record, outcome.deduplicated)),
        };
      }),
    getNotification: (request) =>
      mapErrors(async () => {
        const { record, attempts } = await queries.get(request.id);
        return { notification: toProtoNotification(record, false, attempts) };
      }),
    listNotifications: (request) =>
      mapErrors(async () => {
        const statuses = request.statuses.map((status, i) => {
          const stored = statusFromProto(status);
          if (!stored) throw invalidField(`statuses[${i}]`, 'invalid_value', 'is not a notification status');
          return stored;
        }) satisfies NotificationStatus[];
        const page = await queries.list({
          userId: request.userId || undefined,
          statuses: statuses.length > 0 ? statuses : undefined,
          channel: request.channel || undefined,
          triggerId: request.triggerId || undefined,
          createdAfter: dateFromProto(request.createdAfter),
          createdBefore: dateFromProto(request.createdBefore),
          acknowledged: request.acknowledged,
          pageSize: request.pageSize,
          cursor: request.pageToken || undefined,
        });
        return {
          notifications: page.records.map((record) => toProtoNotification(record)),
          nextPageToken: page.nextCursor ?? '',
        };
      }),
    retryNotification: (request) =>
      mapErrors(async () => ({ notification: toProtoNotification(await queries.retry(request.id)) })),
    cancelNotification: (request) =>
      mapErrors(async () => ({ notification: toProtoNotification(await queries.cancel(request.id)) })),
    acknowledgeNotification: (request) =>
      mapErrors(async () => {
        const { record } = await lifecycle.acknowledge(request.id, request.by);
        return { notification: toProtoNotification(record) };
      }),
    recallNotification: (request) =>
      mapErrors(async () => ({
        notification: toProtoNotification(await lifecycle.recall(request.id, request.reason)),
      })),
  };
}
