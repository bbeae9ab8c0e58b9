import type { ServiceImpl } from '@connectrpc/connect';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ErrorCodeCount } from '../../core/operations/overview-store.js';
import type { OverviewQueries } from '../../core/operations/overview-queries.js';
import type { OperationsService } from '../../gen/notify/v1/operations_service_pb.js';
import { statusToProto } from './notification-mapping.js';
import { mapErrors } from './notification-service-handler.js';

/** Sentinel the proto documents for "the broker could not be asked". */
const UNKNOWN_DEPTH = -1n;

function errorCount(entry: ErrorCodeCount) {
  return {
    errorCode: entry.errorCode,
    channel: entry.channel,
    count: BigInt(entry.count),
    lastSeenAt: timestampFromDate(entry.lastSeenAt),
  };
}

/** notify.v1.OperationsService over the overview queries. */
export function createOperationsServiceHandler(
  overview: OverviewQueries,
): ServiceImpl<typeof OperationsService> {
  return {
    getOverview: () =>
      mapErrors(async () => {
        const view = await overview.overview();
        const dead = view.queues.find((queue) => queue.dead);
        return {
          statusCounts: view.statusCounts.map((entry) => ({
            status: statusToProto(entry.status),
            channel: entry.channel,
            count: BigInt(entry.count),
          })),
          minutes: view.minutes.map((minute) => ({
            minute: timestampFromDate(minute.minute),
            sent: BigInt(minute.sent),
            failed: BigInt(minute.failed),
            dead: BigInt(minute.dead),
          })),
          queues: view.queues.map((queue) => ({ queue: queue.queue, messages: BigInt(queue.messages) })),
          deadLetterCount: dead ? BigInt(dead.messages) : UNKNOWN_DEPTH,
          recentErrors: view.recentErrors.map(errorCount),
          deadByError: view.deadByError.map(errorCount),
          generatedAt: timestampFromDate(view.generatedAt),
        };
      }),
  };
}
