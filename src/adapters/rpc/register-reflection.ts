import type { ConnectRouter } from '@connectrpc/connect';
import { file_notify_v1_config_service } from '../../gen/notify/v1/config_service_pb.js';
import { file_notify_v1_notification_service } from '../../gen/notify/v1/notification_service_pb.js';
import { file_notify_v1_schedule_service } from '../../gen/notify/v1/schedule_service_pb.js';
import { file_grpc_health_v1_health } from '../../gen/grpc/health/v1/health_pb.js';
import { file_google_rpc_error_details } from '../../gen/google/rpc/error_details_pb.js';
import { registerReflectionServices } from '../../rpc-kit/reflection/reflection-service.js';

/**
 * Serve grpc.reflection v1 and v1alpha for every public API file, so buf curl and grpcurl work
 * without schema flags. Dependencies (notification.proto, timestamp.proto) are included by the index.
 */
export function registerReflection(router: ConnectRouter): void {
  registerReflectionServices(router, [
    file_notify_v1_notification_service,
    file_notify_v1_config_service,
    file_notify_v1_schedule_service,
    file_grpc_health_v1_health,
    file_google_rpc_error_details,
  ]);
}
