import { definePlugin } from '../../core/contract/index.js';
import { parseWebhookConfig, type WebhookConfig } from './config.js';
import { createWebhookProvider } from './provider.js';
import { WEBHOOK_SETTINGS } from './settings.js';

export type { WebhookConfig, WebhookMsgType } from './config.js';
export { signWebhook } from './signing.js';
export { checkWebhookUrl } from './url-rules.js';

/** The Feishu/Lark group custom-bot channel (`feishu-webhook`). */
export const feishuWebhookPlugin = definePlugin<WebhookConfig>({
  id: 'feishu-webhook',
  version: '1.0.0',
  contractVersion: '^1.1.0',
  settings: WEBHOOK_SETTINGS,
  parseConfig: parseWebhookConfig,
  createProvider: createWebhookProvider,
});

export default feishuWebhookPlugin;
