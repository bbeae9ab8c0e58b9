import { describe, expect, it } from 'vitest';
import { METHOD_SCOPES } from '../../../../src/adapters/rpc/auth-interceptor.js';
import { ConfigService } from '../../../../src/gen/notify/v1/config_service_pb.js';
import { EventService } from '../../../../src/gen/notify/v1/event_service_pb.js';
import { NotificationService } from '../../../../src/gen/notify/v1/notification_service_pb.js';
import { ScheduleService } from '../../../../src/gen/notify/v1/schedule_service_pb.js';
import { OperationsService } from '../../../../src/gen/notify/v1/operations_service_pb.js';

describe('METHOD_SCOPES', () => {
  it('names a scope for every method of every notify.v1 service (a missing one would need no key)', () => {
    const methods = [
      NotificationService,
      ConfigService,
      ScheduleService,
      EventService,
      OperationsService,
    ].flatMap((service) => service.methods.map((method) => `${service.typeName}/${method.name}`));
    expect(methods.filter((method) => METHOD_SCOPES[method] === undefined)).toEqual([]);
    expect(METHOD_SCOPES['notify.v1.EventService/PublishEvent']).toBe('trigger');
    expect(METHOD_SCOPES['notify.v1.EventService/GetEvent']).toBe('read');
    expect(METHOD_SCOPES['notify.v1.EventService/ListEvents']).toBe('read');
  });
});
