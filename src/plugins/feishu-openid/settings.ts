import type { SettingSpec } from '../../core/contract/index.js';

/** Per-user settings of `feishu-openid`: the user's open_id under the configured app. */
export const OPENID_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'open_id',
    required: true,
    secret: false,
    description: "The user's open_id (ou_…) for this channel's app; open_ids differ per app",
  },
];
