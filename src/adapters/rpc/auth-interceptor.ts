import { createHash, timingSafeEqual } from 'node:crypto';
import type { ConnectError, Interceptor } from '@connectrpc/connect';
import type { GatewayConfig, Scope } from '../../core/config/gateway-config.js';
import { GatewayError } from '../../core/shared/gateway-error.js';
import { toConnectError } from './error-mapping.js';
import type { MethodAccess, MethodAccessTable } from './method-access.js';
import type { HeaderAuthorizer } from '../../rpc-kit/transport/request-handler.js';

/** Scope each RPC needs; services not listed (health, reflection) need no key. */
export const METHOD_SCOPES: Readonly<Record<string, Scope>> = {
  'notify.v1.NotificationService/Trigger': 'trigger',
  'notify.v1.NotificationService/GetNotification': 'read',
  'notify.v1.NotificationService/ListNotifications': 'read',
  'notify.v1.NotificationService/RetryNotification': 'trigger',
  'notify.v1.NotificationService/CancelNotification': 'trigger',
  'notify.v1.NotificationService/WatchNotifications': 'read',
  'notify.v1.NotificationService/RedriveNotifications': 'admin',
  'notify.v1.NotificationService/AcknowledgeNotification': 'trigger',
  'notify.v1.NotificationService/RecallNotification': 'trigger',
  'notify.v1.ConfigService/GetUserConfig': 'config',
  'notify.v1.ConfigService/UpsertChannelConfig': 'config',
  'notify.v1.ConfigService/DeleteChannelConfig': 'config',
  'notify.v1.ConfigService/ListChannels': 'read',
  'notify.v1.ConfigService/TestChannel': 'config',
  'notify.v1.ScheduleService/ScheduleJob': 'trigger',
  'notify.v1.ScheduleService/CancelJob': 'trigger',
  'notify.v1.ScheduleService/GetJob': 'read',
  'notify.v1.ScheduleService/ListJobs': 'read',
  'notify.v1.OperationsService/GetOverview': 'read',
};
export { isLoopbackHost } from './loopback-host.js';

/** The Prometheus endpoint; behind the `metrics` scope when `server.metricsRequireKey` is set. */
export const METRICS_PATH = '/metrics';

interface KeyEntry {
  readonly name: string;
  readonly digest: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

/** Both checks of one auth config: before the body (transport) and inside connect (interceptor). */
export interface ApiKeyAuth {
  /** Runs on path and headers before any body byte is read. */
  readonly authorize: HeaderAuthorizer;
  /** The same decision for calls that reach connect some other way. */
  readonly interceptor: Interceptor;
}

/**
 * Bearer API-key authentication with scopes taken from the method access table. Keys are stored as
 * SHA-256 digests and compared in constant time. With no keys configured every call is allowed (the
 * server refuses to start that way on a non-loopback host unless auth.allowAnonymous is set).
 */
export function createApiKeyAuth(
  auth: GatewayConfig['auth'],
  table: MethodAccessTable,
  options: { metricsRequireKey?: boolean } = {},
): ApiKeyAuth {
  const keys: KeyEntry[] = auth.apiKeys.map((key) => ({
    name: key.name,
    digest: Buffer.from(key.sha256, 'hex'),
    scopes: new Set(key.scopes),
  }));
  const check = (access: MethodAccess | undefined, header: string | undefined): ConnectError | undefined => {
    if (access === undefined || access === 'public' || keys.length === 0) return undefined;
    const error = keyError(keys, access, header ?? '');
    return error && toConnectError(error);
  };
  const accessOfPath = (path: string): MethodAccess | undefined =>
    path === METRICS_PATH
      ? options.metricsRequireKey === true
        ? 'metrics'
        : 'public'
      : table.accessOf(path.slice(1));
  return {
    authorize: (path, headers) => check(accessOfPath(path), headers.authorization),
    interceptor: (next) => async (request) => {
      const access = table.accessOf(`${request.service.typeName}/${request.method.name}`);
      const error = check(access, request.header.get('authorization') ?? undefined);
      if (error) throw error;
      return next(request);
    },
  };
}

function keyError(keys: readonly KeyEntry[], scope: Scope, header: string): GatewayError | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1])
    return new GatewayError(
      'unauthenticated',
      'missing_api_key',
      'authorization: Bearer <api key> is required',
    );
  const digest = createHash('sha256').update(match[1]).digest();
  const key = keys.find((entry) => timingSafeEqual(entry.digest, digest));
  if (!key) return new GatewayError('unauthenticated', 'invalid_api_key', 'the API key is not valid');
  if (!key.scopes.has(scope) && !key.scopes.has('admin'))
    return new GatewayError(
      'permission_denied',
      'missing_scope',
      `API key "${key.name}" lacks scope "${scope}"`,
    );
  return undefined;
}
