import type { SettingSpec } from '../../core/contract/index.js';

/** Per-user settings of `feishu-webhook`; both are credentials, so both are secret. */
export const WEBHOOK_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'webhook_url',
    required: true,
    secret: true,
    description: 'Feishu/Lark custom bot webhook URL (https://open.feishu.cn/open-apis/bot/v2/hook/<token>)',
  },
  {
    key: 'secret',
    required: false,
    secret: true,
    description: 'Signing secret of the custom bot, when its signature check is enabled',
  },
];
