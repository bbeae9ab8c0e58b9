import type { FeishuEmulator } from '../../helpers/feishu-emulator/index.js';
import type { FaultStack } from './fault-stack.js';

/** App credentials the fault suite registers on its emulator. */
export const APP_ID = 'cli_fault_app';
export const APP_SECRET = 'fault-app-secret';

/** Channel config of both Feishu plugins against an emulator (plain HTTP on loopback). */
export function feishuChannels(emulator: FeishuEmulator, timeoutMs = 2000): Array<Record<string, unknown>> {
  return [
    {
      id: 'feishu',
      plugin: 'feishu-webhook',
      config: {
        allowedHosts: ['localhost'],
        allowHttp: true,
        allowedPorts: [emulator.port],
        allowPrivateNetwork: true,
        timeoutMs,
      },
    },
    {
      id: 'feishu-app',
      plugin: 'feishu-openid',
      config: { appId: APP_ID, appSecret: APP_SECRET, baseUrl: emulator.baseUrl, timeoutMs },
    },
  ];
}

/**
 * Gives `users` their own emulated webhook (so Feishu's per-bot limit never couples them) or their
 * own open_id under the app (register it once with `emulator.addApp(APP_ID, APP_SECRET)`), and
 * stores the matching channel setting through ConfigService.
 */
export async function provisionUsers(
  stack: FaultStack,
  emulator: FeishuEmulator,
  channel: 'feishu' | 'feishu-app',
  users: readonly string[],
): Promise<void> {
  for (const userId of users) {
    if (channel === 'feishu') {
      const token = `hook-${userId}`;
      emulator.addWebhook(token);
      await stack.configs.upsertChannelConfig({
        userId,
        channel,
        enabled: true,
        settings: { webhook_url: emulator.webhookUrl(token) },
      });
    } else {
      emulator.addUser(APP_ID, `ou_${userId}`);
      await stack.configs.upsertChannelConfig({
        userId,
        channel,
        enabled: true,
        settings: { open_id: `ou_${userId}` },
      });
    }
  }
}
