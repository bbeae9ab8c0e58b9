import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import { ConfigService } from '../../gen/notify/v1/config_service_pb.js';
import { NotificationService } from '../../gen/notify/v1/notification_service_pb.js';
import { OperationsService } from '../../gen/notify/v1/operations_service_pb.js';
import { ScheduleService } from '../../gen/notify/v1/schedule_service_pb.js';
import { registerHealthService } from '../../rpc-kit/health/health-service.js';
import type { HealthStatusBoard } from '../../rpc-kit/health/health-status-board.js';
import type { MethodAccessTable } from './method-access.js';
import { registerReflection } from './register-reflection.js';

/** The service implementations the api serves. */
export interface GatewayServices {
  readonly notifications: ServiceImpl<typeof NotificationService>;
  readonly config: ServiceImpl<typeof ConfigService>;
  readonly schedules: ServiceImpl<typeof ScheduleService>;
  readonly operations: ServiceImpl<typeof OperationsService>;
  readonly health: HealthStatusBoard;
}

/**
 * Registers every RPC of the api with the scope it needs, declared here once (the README's API
 * table). Health and reflection need no key; any other method served without a declaration stops
 * the listener at boot (MethodAccessTable.verify).
 */
export function registerGatewayRoutes(
  router: ConnectRouter,
  table: MethodAccessTable,
  services: GatewayServices,
): void {
  table.serve(
    router,
    NotificationService,
    {
      trigger: 'trigger',
      getNotification: 'read',
      listNotifications: 'read',
      retryNotification: 'trigger',
      cancelNotification: 'trigger',
      acknowledgeNotification: 'trigger',
      recallNotification: 'trigger',
      watchNotifications: 'read',
      redriveNotifications: 'admin',
    },
    services.notifications,
  );
  table.serve(
    router,
    ConfigService,
    {
      getUserConfig: 'config',
      upsertChannelConfig: 'config',
      deleteChannelConfig: 'config',
      listChannels: 'read',
      testChannel: 'config',
    },
    services.config,
  );
  table.serve(
    router,
    ScheduleService,
    { scheduleJob: 'trigger', cancelJob: 'trigger', getJob: 'read', listJobs: 'read' },
    services.schedules,
  );
  table.serve(router, OperationsService, { getOverview: 'read' }, services.operations);
  table.servePublic(router, (publicRouter) => {
    registerHealthService(publicRouter, services.health);
    registerReflection(publicRouter);
  });
}
