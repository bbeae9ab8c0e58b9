import { createHash, timingSafeEqual } from 'node:crypto';
import type { Interceptor } from '@connectrpc/connect';
import type { GatewayConfig, Scope } from '../../core/config/gateway-config.js';
import { GatewayError } from '../../core/shared/gateway-error.js';
import { toConnectError } from './error-mapping.js';

/** Scope each RPC needs; services not listed (health, reflection) need no key. */
export const METHOD_SCOPES: Readonly<Record<string, Scope>> = {
  'notify.v1.NotificationService/Trigger': 'trigger',
  'notify.v1.NotificationService/GetNotification': 'read',
  'notify.v1.NotificationService/ListNotifications': 'read',
  'notify.v1.NotificationService/RetryNotification': 'trigger',
  'notify.v1.NotificationService/CancelNotification': 'trigger',
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

interface KeyEntry {
  readonly name: string;
  readonly digest: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

/** True when a host string is a loopback bind (safe to serve without keys for local use). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Bearer API-key authentication with scopes. Keys are stored as SHA-256 digests and compared in
 * constant time. With no keys configured every call is allowed (the server refuses to start that
 * way on a non-loopback host unless auth.allowAnonymous is set).
 */
export function createAuthInterceptor(auth: GatewayConfig['auth']): Interceptor {
  const keys: KeyEntry[] = auth.apiKeys.map((key) => ({
    name: key.name,
    digest: Buffer.from(key.sha256, 'hex'),
    scopes: new Set(key.scopes),
  }));
  return (next) => async (request) => {
    const scope = METHOD_SCOPES[`${request.service.typeName}/${request.method.name}`];
    if (keys.length === 0 || scope === undefined) return next(request);
    const header = request.header.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw toConnectError(
        new GatewayError('unauthenticated', 'missing_api_key', 'authorization: Bearer <api key> is required'),
      );
    }
    const digest = createHash('sha256').update(match[1]).digest();
    const key = keys.find((entry) => timingSafeEqual(entry.digest, digest));
    if (!key)
      throw toConnectError(
        new GatewayError('unauthenticated', 'invalid_api_key', 'the API key is not valid'),
      );
    if (!key.scopes.has(scope) && !key.scopes.has('admin')) {
      throw toConnectError(
        new GatewayError(
          'permission_denied',
          'missing_scope',
          `API key "${key.name}" lacks scope "${scope}"`,
        ),
      );
    }
    return next(request);
  };
}
