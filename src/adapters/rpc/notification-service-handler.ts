import { create } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import {
  NotificationService,
  NotificationView,
  type WatchNotificationsResponse,
  WatchNotificationsResponseSchema,
} from '../../gen/notify/v1/notification_service_pb.js';
import type { BulkRedrive } from '../../core/notification/bulk-redrive.js';
import type { NotificationWatchHub } from '../../core/notification/notification-watch.js';
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

/** The operator and streaming parts of NotificationService. */
export interface NotificationServiceExtras {
  readonly watch: NotificationWatchHub;
  readonly redrive: BulkRedrive;
}

/** Stored status words of a request's `statuses`, naming the bad entry. */
function storedStatuses(statuses: readonly number[], field: string): NotificationStatus[] {
  return statuses.map((status, i) => {
    const stored = statusFromProto(status);
    if (!stored) throw invalidField(`${field}[${i}]`, 'invalid_value', 'is not a notification status');
    return stored;
  });
}

/** notify.v1.NotificationService over the trigger path, the record queries, Watch and bulk redrive. */
export function createNotificationServiceHandler(
  triggers: TriggerService,
  queries: NotificationQueries,
  lifecycle: MessageLifecycle,
  extras: NotificationServiceExtras,
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
        if (!(request.view in NotificationView)) {
          throw invalidField('view', 'invalid_value', 'is not a notification view');
        }
        const { record, attempts } = await queries.get(request.id);
        const withPayloads = request.view === NotificationView.FULL;
        return { notification: toProtoNotification(record, false, attempts, withPayloads) };
      }),
    listNotifications: (request) =>
      mapErrors(async () => {
        const statuses = storedStatuses(request.statuses, 'statuses');
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
    async *watchNotifications(request, context): AsyncGenerator<WatchNotificationsResponse> {
      const stream = extras.watch.watch(
        { ids: request.ids, userId: request.userId, eventId: request.eventId },
        context.signal,
      );
      try {
        for await (const record of stream) {
          yield create(WatchNotificationsResponseSchema, { notification: toProtoNotification(record) });
        }
      } catch (error) {
        throw toConnectError(error);
      }
    },
    redriveNotifications: (request) =>
      mapErrors(async () => {
        const statuses = storedStatuses(request.statuses, 'statuses');
        const index = statuses.findIndex((status) => status !== 'dead' && status !== 'failed');
        if (index >= 0) {
          throw invalidField(`statuses[${index}]`, 'invalid_value', 'only DEAD and FAILED can be redriven');
        }
        const result = await extras.redrive.run({
          statuses: statuses.length > 0 ? (statuses as ('dead' | 'failed')[]) : ['dead'],
          channel: request.channel || undefined,
          errorCode: request.errorCode || undefined,
          userId: request.userId || undefined,
          createdAfter: dateFromProto(request.createdAfter),
          createdBefore: dateFromProto(request.createdBefore),
          dryRun: request.dryRun,
          limit: request.limit,
        });
        return {
          matchedCount: BigInt(result.matchedCount),
          redrivenCount: BigInt(result.redrivenCount),
          sampleIds: result.sampleIds,
          flaggedCount: BigInt(result.flaggedCount),
          flaggedIds: result.flaggedIds,
        };
      }),
  };
}
