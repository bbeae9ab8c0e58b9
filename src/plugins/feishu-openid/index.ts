import { definePlugin } from '../../core/contract/index.js';
import { parseOpenidConfig, type OpenidConfig } from './config.js';
import { createOpenidProvider } from './provider.js';
import { OPENID_SETTINGS } from './settings.js';

export type { OpenidConfig } from './config.js';

/** The Feishu/Lark app-bot channel that messages one user by open_id (`feishu-openid`). */
export const feishuOpenidPlugin = definePlugin<OpenidConfig>({
  id: 'feishu-openid',
  version: '1.0.0',
  contractVersion: '^1.1.0',
  settings: OPENID_SETTINGS,
  parseConfig: parseOpenidConfig,
  createProvider: createOpenidProvider,
});

export default feishuOpenidPlugin;
