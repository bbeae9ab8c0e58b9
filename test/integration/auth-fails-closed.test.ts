import { createHash } from 'node:crypto';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth } from '../../src/adapters/rpc/auth-interceptor.js';
import { MethodAccessTable } from '../../src/adapters/rpc/method-access.js';
import { startRpcListener } from '../../src/rpc-kit/transport/rpc-listener.js';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { NotificationService } from '../../src/gen/notify/v1/notification_service_pb.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

describe('every served RPC declares its scope', () => {
  const keys = {
    apiKeys: [{ name: 'reader', sha256: sha256('read-key'), scopes: ['read' as const] }],
    allowAnonymous: false,
  };

  it('refuses to start when a service is registered without scopes, naming its methods', async () => {
    const access = new MethodAccessTable();
    const started = startRpcListener({
      host: '127.0.0.1',
      port: 0,
      authorize: createApiKeyAuth(keys, access).authorize,
      verifyRoutes: access.verify,
      routes: (router) => {
        access.serve(
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
          {},
        );
        // Registered around the table: before, this was served to anyone without a key.
        router.service(ConfigService, {});
      },
    });
    await expect(started).rejects.toThrow(
      /notify\.v1\.ConfigService\/GetUserConfig.*notify\.v1\.ConfigService\/TestChannel/,
    );
  });

  it('enforces the declared scope from the registration, before the handler runs', async () => {
    const access = new MethodAccessTable();
    let handled = 0;
    const listener = await startRpcListener({
      host: '127.0.0.1',
      port: 0,
      authorize: createApiKeyAuth(keys, access).authorize,
      verifyRoutes: access.verify,
      routes: (router) =>
        access.serve(
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
          {
            trigger: () => {
              handled++;
              return {};
            },
            getNotification: () => ({}),
          },
        ),
    });
    try {
      const withKey = (key: string) =>
        createClient(
          NotificationService,
          createGrpcTransport({
            baseUrl: `http://127.0.0.1:${listener.port}`,
            interceptors: [(next) => (req) => (req.header.set('authorization', `Bearer ${key}`), next(req))],
          }),
        );
      await expect(withKey('read-key').getNotification({ id: 'x' })).resolves.toBeDefined();
      const denied = await withKey('read-key')
        .trigger({ userId: 'u' })
        .catch((e: unknown) => ConnectError.from(e));
      expect(denied).toBeInstanceOf(ConnectError);
      expect((denied as ConnectError).code).toBe(Code.PermissionDenied);
      expect(handled).toBe(0);
    } finally {
      await listener.close({ graceMs: 100 });
    }
  });
});

describe('server.metricsRequireKey', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({
      server: { metricsRequireKey: true },
      auth: {
        apiKeys: [
          { name: 'prometheus', sha256: sha256('metrics-key'), scopes: ['metrics'] },
          { name: 'reader', sha256: sha256('read-key'), scopes: ['read'] },
        ],
      },
    });
  });
  afterAll(() => harness?.stop());

  const scrape = (key?: string) =>
    fetch(`${harness.baseUrl}/metrics`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

  it('answers 401 without a key and 403 to a key without the metrics scope', async () => {
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('notify_');
    expect((await scrape('wrong-key')).status).toBe(401);
    expect((await scrape('read-key')).status).toBe(403);
  });

  it('serves the metrics to a key with the metrics scope; health stays open', async () => {
    const scraped = await scrape('metrics-key');
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('notify_rpc_buffered_request_bytes');
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
  });
});
