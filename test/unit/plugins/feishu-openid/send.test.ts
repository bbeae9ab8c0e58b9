import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type ChannelProvider } from '../../../../src/core/contract/index.js';
import { feishuOpenidPlugin } from '../../../../src/plugins/feishu-openid/index.js';
import { startFeishuEmulator, type FeishuEmulator } from '../../../helpers/feishu-emulator/index.js';
import { expectNoSecrets, makeContext, makeRequest, uniqueId } from '../feishu-test-kit.js';

const APP = 'cli_send_app';
const SECRET = 'send-app-secret-xyz';
let emu: FeishuEmulator;
let provider: ChannelProvider;

beforeAll(async () => {
  emu = await startFeishuEmulator();
  emu.addApp(APP, SECRET);
});
afterAll(async () => {
  await emu.close();
});
afterEach(async () => {
  await provider?.close?.();
  emu.clearLogs();
});

function newProvider(extra: Record<string, unknown> = {}, context = makeContext()): ChannelProvider {
  const config = feishuOpenidPlugin.parseConfig(
    { appId: APP, appSecret: SECRET, baseUrl: emu.baseUrl, ...extra },
    'c',
  );
  provider = feishuOpenidPlugin.createProvider(config, context);
  return provider;
}

function newUser(): string {
  const openId = uniqueId('ou_');
  emu.addUser(APP, openId);
  return openId;
}

describe('feishu-openid parseConfig', () => {
  it('applies defaults and normalises baseUrl', () => {
    expect(
      feishuOpenidPlugin.parseConfig(
        { appId: 'a', appSecret: 's', baseUrl: 'https://open.larksuite.com/' },
        'c',
      ),
    ).toEqual({
      appId: 'a',
      appSecret: 's',
      baseUrl: 'https://open.larksuite.com',
      timeoutMs: 5000,
      connectTimeoutMs: 3000,
      ratePerSecond: 50,
      ratePerMinute: 1000,
      ratePerUserPerSecond: 5,
      tokenRefreshMarginMs: 180_000,
      ratePerMessagePerSecond: 5,
      idCacheTtlMs: 3_600_000,
      recallWindowMs: 86_400_000,
      msgType: 'text',
      ackButton: true,
      ackButtonText: '',
      verificationToken: '',
      encryptKey: '',
      callbackMaxSkewMs: 300_000,
      cardTemplates: new Map(),
      previewUrl: '',
    });
  });

  it.each([
    [{ appSecret: 's' }, 'channels[1].config.appId'],
    [{ appId: 'a', appSecret: 's', extra: true }, 'channels[1].config.extra'],
    [{ appId: 'a', appSecret: 's', baseUrl: 'ftp://x' }, 'channels[1].config.baseUrl'],
  ])('rejects %j naming %s', (raw, path) => {
    expect(() => feishuOpenidPlugin.parseConfig(raw, 'channels[1].config')).toThrow(ConfigError);
    expect(() => feishuOpenidPlugin.parseConfig(raw, 'channels[1].config')).toThrow(path);
  });

  it('declares the recipient settings, none required on its own and none secret', () => {
    expect(feishuOpenidPlugin.settings.map((spec) => spec.key)).toEqual([
      'open_id',
      'user_id',
      'union_id',
      'chat_id',
      'email',
      'mobile',
    ]);
    expect(feishuOpenidPlugin.settings.every((spec) => !spec.required && !spec.secret)).toBe(true);
  });
});

describe('feishu-openid send', () => {
  it('sends text with uuid = idempotencyKey and stores message_id', async () => {
    const openId = newUser();
    const request = makeRequest({ open_id: openId });
    const result = await newProvider().send(request);
    expect(provider.idempotent).toBe(true);
    expect(result.outcome).toBe('success');
    const got = emu.received.at(-1)!;
    expect(result.providerMessageId).toBe(got.messageId);
    expect(got.body).toEqual({
      receive_id: openId,
      msg_type: 'text',
      content: JSON.stringify({ text: request.text }),
      uuid: request.idempotencyKey,
    });
    expect(JSON.stringify(result.responsePayload)).toMatch(/"logId":"2026/);
    const authHeader = emu.requestsTo('messages')[0]!.headers.authorization as string;
    expectNoSecrets(result, [SECRET, authHeader.slice('Bearer '.length)]);
  });

  it('uses post without an outer `post` key when target.url is set', async () => {
    const openId = newUser();
    const target = { type: 'task', id: '1', url: 'https://example.com/1' };
    const result = await newProvider().send(
      makeRequest({ open_id: openId }, { target, metadata: { title: 'Heads up' } }),
    );
    expect(result.outcome).toBe('success');
    const body = emu.received.at(-1)!.body;
    expect(body['msg_type']).toBe('post');
    expect(JSON.parse(body['content'] as string)).toEqual({
      zh_cn: {
        title: 'Heads up',
        content: [
          [{ tag: 'text', text: 'Your schedule changed' }],
          [{ tag: 'a', text: target.url, href: target.url }],
        ],
      },
    });
  });

  it('fetches the token once for many concurrent sends (single-flight)', async () => {
    const users = Array.from({ length: 12 }, () => newUser());
    const p = newProvider();
    const results = await Promise.all(users.map((openId) => p.send(makeRequest({ open_id: openId }))));
    expect(results.every((r) => r.outcome === 'success')).toBe(true);
    expect(emu.requestsTo('token')).toHaveLength(1);
  });

  it('evicts a rejected token, refetches and retries once (99991663)', async () => {
    const openId = newUser();
    const p = newProvider();
    expect((await p.send(makeRequest({ open_id: openId }))).outcome).toBe('success');
    emu.revokeTokens(APP);
    const result = await p.send(makeRequest({ open_id: openId }));
    expect(result.outcome).toBe('success');
    expect(emu.requestsTo('token')).toHaveLength(2);
    const codes = emu.requestsTo('messages').map((r) => r.code);
    expect(codes).toEqual([0, 99991663, 0]);
  });

  it('refreshes the token tokenRefreshMarginMs before expiry (injected clock)', async () => {
    let now = Date.UTC(2026, 0, 1);
    const p = newProvider(
      {},
      makeContext(() => new Date(now)),
    );
    const openId = newUser();
    await p.send(makeRequest({ open_id: openId }));
    now += (7200 - 180 - 5) * 1000;
    await p.send(makeRequest({ open_id: openId }));
    expect(emu.requestsTo('token')).toHaveLength(1);
    now += 10_000;
    await p.send(makeRequest({ open_id: openId }));
    expect(emu.requestsTo('token')).toHaveLength(2);
  });

  it('a 5xx then a retry with the same idempotencyKey sends the same uuid twice and delivers once', async () => {
    const openId = newUser();
    const p = newProvider();
    emu.injectFaults([{ type: 'http', status: 503, body: 'busy', route: 'messages' }]);
    const request = makeRequest({ open_id: openId });
    const first = await p.send(request);
    const second = await p.send({ ...request, attemptNo: 2 });
    expect(first).toMatchObject({ outcome: 'temporary_fail', errorCode: 'provider_5xx' });
    expect(second.outcome).toBe('success');
    const uuids = emu.requestsTo('messages').map((r) => (r.json as { uuid: string }).uuid);
    expect(uuids).toEqual([request.idempotencyKey, request.idempotencyKey]);
    expect(emu.received.filter((m) => m.uuid === request.idempotencyKey)).toHaveLength(1);
  });

  it('a duplicate uuid after success returns the first message_id without a second message', async () => {
    const openId = newUser();
    const p = newProvider();
    const request = makeRequest({ open_id: openId });
    const first = await p.send(request);
    const again = await p.send({ ...request, attemptNo: 2 });
    expect(again.outcome).toBe('success');
    expect(again.providerMessageId).toBe(first.providerMessageId);
    expect(emu.received.filter((m) => m.uuid === request.idempotencyKey)).toHaveLength(1);
  });

  it('99991400 with x-ogw-ratelimit-reset → retryAfterMs equals it', async () => {
    const openId = newUser();
    emu.injectFaults([{ type: 'rateLimit', resetSeconds: 9, route: 'messages' }]);
    const result = await newProvider().send(makeRequest({ open_id: openId }));
    expect(result).toMatchObject({
      outcome: 'temporary_fail',
      errorCode: 'provider_rate_limited',
      retryAfterMs: 9000,
    });
  });

  it('throttles one user to 5/s so the emulator never answers 230020', async () => {
    const openId = newUser();
    const p = newProvider();
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => p.send(makeRequest({ open_id: openId }))),
    );
    expect(results.map((r) => r.errorMessage ?? r.outcome)).toEqual(Array(8).fill('success'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(emu.requestsTo('messages').filter((r) => r.code === 230020)).toHaveLength(0);
  });

  it('logs failures with the Feishu log id and no secrets', async () => {
    const context = makeContext();
    emu.injectFaults([{ type: 'code', code: 230027, status: 400, route: 'messages' }]);
    await newProvider({}, context).send(makeRequest({ open_id: newUser() }));
    const line = context.logger.lines.find((l) => l.level === 'warn')!;
    expect(line.fields['feishu_log_id']).toMatch(/^2026/);
    expect(JSON.stringify(context.logger.lines)).not.toContain(SECRET);
  });
});
