import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/contract/index.js';
import { feishuWebhookPlugin } from '../../../../src/plugins/feishu-webhook/index.js';
import { startFeishuEmulator, type FeishuEmulator } from '../../../helpers/feishu-emulator/index.js';
import { expectNoSecrets, makeContext, makeRequest, uniqueId } from '../feishu-test-kit.js';

let emu: FeishuEmulator;
beforeAll(async () => {
  emu = await startFeishuEmulator();
});
afterAll(async () => {
  await emu.close();
});

const emuConfig = (extra: Record<string, unknown> = {}) =>
  feishuWebhookPlugin.parseConfig(
    {
      allowedHosts: ['localhost'],
      allowHttp: true,
      allowedPorts: [emu.port],
      allowPrivateNetwork: true,
      ...extra,
    },
    'channels[0].config',
  );

describe('feishu-webhook parseConfig', () => {
  it('applies the documented defaults', () => {
    expect(feishuWebhookPlugin.parseConfig(undefined, 'c')).toEqual({
      timeoutMs: 5000,
      connectTimeoutMs: 3000,
      allowedHosts: ['open.feishu.cn', 'open.larksuite.com'],
      allowHttp: false,
      allowedPorts: [443],
      allowPrivateNetwork: false,
      msgType: 'text',
      ratePerSecond: 5,
      ratePerMinute: 100,
      retryOnUnknownOutcome: true,
      followUp: 'message',
      cardTemplates: new Map(),
      previewUrl: '',
    });
  });

  it.each([
    [{ timeoutMs: 'x' }, 'channels[2].config.timeoutMs'],
    [{ nope: 1 }, 'channels[2].config.nope'],
    [{ msgType: 'image' }, 'channels[2].config.msgType'],
    [{ allowedHosts: ['ok', ''] }, 'channels[2].config.allowedHosts[1]'],
  ])('rejects %j naming %s', (raw, path) => {
    expect(() => feishuWebhookPlugin.parseConfig(raw, 'channels[2].config')).toThrow(ConfigError);
    expect(() => feishuWebhookPlugin.parseConfig(raw, 'channels[2].config')).toThrow(path);
  });

  it('declares webhook_url (required) and secret (optional), both secret', () => {
    expect(feishuWebhookPlugin.settings.map((s) => [s.key, s.required, s.secret])).toEqual([
      ['webhook_url', true, true],
      ['secret', false, true],
    ]);
  });
});

describe('feishu-webhook send against the emulator', () => {
  it('delivers text, signed, and keeps sign/URL out of the result', async () => {
    const token = uniqueId('tok-');
    const secret = 'sig-secret-123';
    emu.addWebhook(token, { secret, keywords: ['schedule'] });
    const provider = feishuWebhookPlugin.createProvider(emuConfig(), makeContext());
    const url = emu.webhookUrl(token);
    const result = await provider.send(makeRequest({ webhook_url: url, secret }));
    await provider.close?.();
    expect(result.outcome).toBe('success');
    expect(provider.idempotent).toBe(false);
    const got = emu.received.find((m) => m.token === token)!;
    expect(got.body).toMatchObject({ msg_type: 'text', content: { text: 'Your schedule changed' } });
    expect(typeof got.body['timestamp']).toBe('string');
    const sign = got.body['sign'] as string;
    expect(sign).toMatch(/=$/);
    expectNoSecrets(result, [url, token, secret, sign]);
    expect(JSON.stringify(result.requestPayload)).toContain('[REDACTED]');
  });

  it('turns text + target.url into post with title, text and link', async () => {
    const token = uniqueId('tok-');
    emu.addWebhook(token);
    const provider = feishuWebhookPlugin.createProvider(emuConfig(), makeContext());
    const target = { type: 'task', id: 't1', url: 'https://example.com/tasks/t1' };
    const result = await provider.send(makeRequest({ webhook_url: emu.webhookUrl(token) }, { target }));
    await provider.close?.();
    expect(result.outcome).toBe('success');
    const body = emu.received.find((m) => m.token === token)!.body;
    expect(body).toEqual({
      msg_type: 'post',
      content: {
        post: {
          zh_cn: {
            title: 'schedule_changed',
            content: [
              [{ tag: 'text', text: 'Your schedule changed' }],
              [{ tag: 'a', text: target.url, href: target.url }],
            ],
          },
        },
      },
    });
  });

  it('renders interactive cards with a URL button', async () => {
    const token = uniqueId('tok-');
    emu.addWebhook(token, { keywords: ['changed'] });
    const provider = feishuWebhookPlugin.createProvider(emuConfig({ msgType: 'interactive' }), makeContext());
    const target = { type: 'task', id: 't1', url: 'https://example.com/t1' };
    const result = await provider.send(makeRequest({ webhook_url: emu.webhookUrl(token) }, { target }));
    await provider.close?.();
    expect(result.outcome).toBe('success');
    const body = emu.received.find((m) => m.token === token)!.body;
    expect(body['msg_type']).toBe('interactive');
    expect(JSON.stringify(body['card'])).toContain('"url":"https://example.com/t1"');
  });

  it('throttles 20 sends to one URL to 5/s: ≥ 3 s, and the emulator never answers 11232', async () => {
    const token = uniqueId('tok-');
    emu.addWebhook(token);
    const provider = feishuWebhookPlugin.createProvider(emuConfig(), makeContext());
    const url = emu.webhookUrl(token);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => provider.send(makeRequest({ webhook_url: url }))),
    );
    const elapsed = Date.now() - started;
    await provider.close?.();
    expect(results.map((r) => r.outcome)).toEqual(Array(20).fill('success'));
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    const answered = emu.requests.filter((r) => r.path.endsWith(token));
    expect(answered).toHaveLength(20);
    expect(answered.filter((r) => r.code === 11232)).toHaveLength(0);
  }, 15_000);

  it('control: without client throttling the emulator does answer 11232 (→ provider_rate_limited)', async () => {
    const token = uniqueId('tok-');
    emu.addWebhook(token);
    const provider = feishuWebhookPlugin.createProvider(emuConfig({ ratePerSecond: 1000 }), makeContext());
    const url = emu.webhookUrl(token);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => provider.send(makeRequest({ webhook_url: url }))),
    );
    await provider.close?.();
    const limited = results.filter((r) => r.errorCode === 'provider_rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.outcome === 'temporary_fail')).toBe(true);
  });

  it('answers after close without a network call', async () => {
    const token = uniqueId('tok-');
    emu.addWebhook(token);
    const provider = feishuWebhookPlugin.createProvider(emuConfig(), makeContext());
    await provider.close?.();
    const result = await provider.send(makeRequest({ webhook_url: emu.webhookUrl(token) }));
    expect(result.outcome).toBe('temporary_fail');
    expect(emu.requests.filter((r) => r.path.endsWith(token))).toHaveLength(0);
  });
});
