import { randomUUID } from 'node:crypto';
import { feishuOpenidPlugin } from '../../src/plugins/feishu-openid/index.js';
import { feishuWebhookPlugin } from '../../src/plugins/feishu-webhook/index.js';
import { startFeishuEmulator } from '../helpers/feishu-emulator/index.js';
import { describePluginContract } from './plugin-contract-suite.js';

describePluginContract('feishu-webhook', async () => {
  const emu = await startFeishuEmulator();
  const secret = `sign-${randomUUID()}`;
  const urls: string[] = [];
  return {
    plugin: feishuWebhookPlugin,
    // The emulator listens on localhost: IP literals are refused, so allow that name and private addresses.
    config: {
      allowedHosts: ['localhost'],
      allowHttp: true,
      allowedPorts: [emu.port],
      allowPrivateNetwork: true,
      timeoutMs: 3000,
    },
    settingsValid() {
      const token = randomUUID();
      emu.addWebhook(token, { secret });
      const url = emu.webhookUrl(token);
      urls.push(url);
      return { webhook_url: url, secret };
    },
    settingsInvalid: { webhook_url: `https://evil.example.com/open-apis/bot/v2/hook/${randomUUID()}` },
    secrets: () => [secret, ...urls, ...urls.map((url) => url.split('/').pop() as string)],
    delivered: () => emu.received.length,
    teardown: () => emu.close(),
  };
});

describePluginContract('feishu-openid', async () => {
  const emu = await startFeishuEmulator();
  const appSecret = `app-${randomUUID()}`;
  emu.addApp('cli_contract', appSecret);
  return {
    plugin: feishuOpenidPlugin,
    config: { appId: 'cli_contract', appSecret, baseUrl: emu.baseUrl, timeoutMs: 3000 },
    settingsValid() {
      const openId = `ou_${randomUUID().replace(/-/g, '')}`;
      emu.addUser('cli_contract', openId);
      return { open_id: openId };
    },
    // Not shaped like an open_id: validateSettings refuses it, and Feishu would answer 230034.
    settingsInvalid: { open_id: 'not-an-open-id' },
    secrets: () => [
      appSecret,
      ...emu.requests.flatMap((r) =>
        typeof r.headers.authorization === 'string' ? [r.headers.authorization.slice(7)] : [],
      ),
    ],
    delivered: () => emu.received.length,
    teardown: () => emu.close(),
  };
});
