import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsError } from '../../../../src/core/contract/index.js';
import { isIpLiteral, isPrivateAddress } from '../../../../src/plugins/http-kit/private-address.js';
import { feishuWebhookPlugin } from '../../../../src/plugins/feishu-webhook/index.js';
import { startFeishuEmulator, type FeishuEmulator } from '../../../helpers/feishu-emulator/index.js';
import { expectNoSecrets, makeContext, makeRequest } from '../feishu-test-kit.js';

const TOKEN = '0b6f0b9e-1c1a-4c1e-9d9e-5f0f7d3e2a11';
const defaults = feishuWebhookPlugin.parseConfig({}, 'c');
const provider = feishuWebhookPlugin.createProvider(defaults, makeContext());

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.8',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(['1.1.1.1', '8.8.8.8', '2606:4700:4700::1111', '101.37.1.1'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
  it('recognises IP literals, bracketed or not', () => {
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('1.2.3.4')).toBe(true);
    expect(isIpLiteral('open.feishu.cn')).toBe(false);
  });
});

describe('validateSettings (webhook_url rules)', () => {
  it.each([
    [`https://open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}`],
    [`https://open.larksuite.com/open-apis/bot/v2/hook/${TOKEN}`],
    [`https://OPEN.FEISHU.CN/open-apis/bot/v2/hook/${TOKEN}`],
  ])('accepts %s', (url) => {
    expect(() => provider.validateSettings?.({ webhook_url: url })).not.toThrow();
  });

  it.each([
    ['http scheme', `http://open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}`],
    ['non-Feishu host', `https://evil.example.com/open-apis/bot/v2/hook/${TOKEN}`],
    ['suffix trick', `https://open.feishu.cn.evil.com/open-apis/bot/v2/hook/${TOKEN}`],
    ['IPv4 literal', `https://127.0.0.1/open-apis/bot/v2/hook/${TOKEN}`],
    ['IPv6 literal', `https://[::1]/open-apis/bot/v2/hook/${TOKEN}`],
    ['userinfo', `https://user:pw@open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}`],
    ['wrong path', `https://open.feishu.cn/open-apis/im/v1/messages`],
    ['empty token', `https://open.feishu.cn/open-apis/bot/v2/hook/`],
    ['two segments', `https://open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}/x`],
    ['not a URL', 'not a url'],
    ['ftp', `ftp://open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}`],
  ])('rejects %s with SettingsError(webhook_url) that hides the token', (_name, url) => {
    let caught: unknown;
    try {
      provider.validateSettings?.({ webhook_url: url });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    expect((caught as SettingsError).key).toBe('webhook_url');
    expect((caught as SettingsError).message).not.toContain(TOKEN);
  });
});

describe('send-time SSRF checks: rejected before any connection', () => {
  let emu: FeishuEmulator;
  beforeAll(async () => {
    emu = await startFeishuEmulator();
    emu.addWebhook(TOKEN);
  });
  afterAll(async () => {
    await provider.close?.();
    await emu.close();
  });

  const emuConfig = (extra: Record<string, unknown>) =>
    feishuWebhookPlugin.parseConfig(
      { allowedHosts: ['localhost'], allowHttp: true, allowedPorts: [emu.port], ...extra },
      'c',
    );

  it.each([
    [
      'http URL without allowHttp',
      (port: number) => `http://localhost:${port}/open-apis/bot/v2/hook/${TOKEN}`,
      { allowHttp: false },
    ],
    [
      'non-allowed host',
      (port: number) => `http://127.0.0.1.nip.io:${port}/open-apis/bot/v2/hook/${TOKEN}`,
      {},
    ],
    [
      'IP literal',
      (port: number) => `http://127.0.0.1:${port}/open-apis/bot/v2/hook/${TOKEN}`,
      { allowedHosts: ['127.0.0.1'] },
    ],
    ['userinfo', (port: number) => `http://a:b@localhost:${port}/open-apis/bot/v2/hook/${TOKEN}`, {}],
    [
      'hostname resolving to 127.0.0.1 (connect-time check)',
      (port: number) => `http://localhost:${port}/open-apis/bot/v2/hook/${TOKEN}`,
      {},
    ],
  ])('%s → permanent invalid_url, emulator sees nothing', async (_name, makeUrl, extra) => {
    const guarded = feishuWebhookPlugin.createProvider(
      emuConfig({ allowPrivateNetwork: false, ...extra }),
      makeContext(),
    );
    const url = makeUrl(emu.port);
    try {
      const result = await guarded.send(makeRequest({ webhook_url: url }));
      expect(result).toMatchObject({
        outcome: 'permanent_fail',
        errorCode: 'invalid_url',
        outcomeUnknown: false,
      });
      if (_name.startsWith('hostname')) expect(result.errorMessage).toMatch(/private address/);
      expectNoSecrets(result, [url, TOKEN]);
      expect(emu.requests).toHaveLength(0);
      expect(emu.received).toHaveLength(0);
    } finally {
      await guarded.close?.();
    }
  });

  it('the same localhost URL is delivered once allowPrivateNetwork is true (control)', async () => {
    const open = feishuWebhookPlugin.createProvider(emuConfig({ allowPrivateNetwork: true }), makeContext());
    try {
      const result = await open.send(makeRequest({ webhook_url: emu.webhookUrl(TOKEN) }));
      expect(result.outcome).toBe('success');
      expect(emu.received).toHaveLength(1);
    } finally {
      await open.close?.();
    }
  });
});
