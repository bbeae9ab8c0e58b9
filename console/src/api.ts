import { Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { EventService } from '../../src/gen/notify/v1/event_service_pb.js';
import { NotificationService } from '../../src/gen/notify/v1/notification_service_pb.js';
import { OperationsService } from '../../src/gen/notify/v1/operations_service_pb.js';
import { ScheduleService } from '../../src/gen/notify/v1/schedule_service_pb.js';

const KEY_STORAGE = 'ngw.apiKey';

/** The API key of this tab: sessionStorage only, never a URL or a cookie. */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

const authenticate: Interceptor = (next) => (request) => {
  const key = apiKey.get();
  if (key) request.header.set('authorization', `Bearer ${key}`);
  return next(request);
};

// Same origin: the console can call exactly what its API key allows, nothing more.
const transport = createConnectTransport({
  baseUrl: location.origin,
  useBinaryFormat: true,
  interceptors: [authenticate],
});

/** Typed clients of the public services. */
export const api = {
  notifications: createClient(NotificationService, transport),
  config: createClient(ConfigService, transport),
  schedule: createClient(ScheduleService, transport),
  operations: createClient(OperationsService, transport),
  events: createClient(EventService, transport),
};

/** Code name (`UNAUTHENTICATED`) and message of an RPC failure, for showing as is. */
export function describeError(error: unknown): { code: string; message: string; unauthenticated: boolean } {
  const connectError = ConnectError.from(error);
  return {
    code: Code[connectError.code].replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
    message: connectError.rawMessage,
    unauthenticated: connectError.code === Code.Unauthenticated,
  };
}

const authListeners = new Set<() => void>();

/** Called when an RPC answers UNAUTHENTICATED, so the shell can show the login form. */
export function onAuthRequired(listener: () => void): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

/** Tells the shell the key was refused (or is missing where one is required). */
export function reportUnauthenticated(): void {
  for (const listener of authListeners) listener();
}
