import type { ServiceImpl } from '@connectrpc/connect';
import { EventService as EventServiceDesc } from '../../gen/notify/v1/event_service_pb.js';
import type { EventService } from '../../core/event/event-service.js';
import { invalidField } from '../../core/shared/gateway-error.js';
import { traceIdFromTraceparent } from '../../core/shared/ids.js';
import { eventInputFromProto, eventStatusFromProto, toProtoDecision, toProtoEvent } from './event-mapping.js';
import { dateFromProto, toProtoNotification } from './notification-mapping.js';
import { mapErrors } from './notification-service-handler.js';

/** notify.v1.EventService over the event use case. */
export function createEventServiceHandler(events: EventService): ServiceImpl<typeof EventServiceDesc> {
  return {
    publishEvent: (request, context) =>
      mapErrors(async () => {
        if (!request.event) throw invalidField('event', 'field_required', 'is required');
        const traceId = traceIdFromTraceparent(context.requestHeader.get('traceparent'));
        const result = await events.publish(eventInputFromProto(request.event, traceId));
        return {
          eventId: result.event.eventId,
          deduplicated: result.deduplicated,
          decisions: result.decisions.map(toProtoDecision),
          notifications: result.notifications.map(({ record, deduplicated }) =>
            toProtoNotification(record, deduplicated),
          ),
        };
      }),
    getEvent: (request) =>
      mapErrors(async () => {
        const trace = await events.getTrace(request.eventId);
        return {
          event: toProtoEvent(trace.event),
          decisions: trace.decisions.map(toProtoDecision),
          notificationIds: [...trace.notificationIds],
        };
      }),
    listEvents: (request) =>
      mapErrors(async () => {
        const page = await events.list({
          type: request.type || undefined,
          userId: request.userId || undefined,
          status: eventStatusFromProto(request.status, 'status'),
          occurredAfter: dateFromProto(request.occurredAfter),
          occurredBefore: dateFromProto(request.occurredBefore),
          pageSize: request.pageSize,
          cursor: request.pageToken || undefined,
        });
        return {
          events: page.events.map((stored) => toProtoEvent(stored.event)),
          nextPageToken: page.nextCursor ?? '',
        };
      }),
  };
}
