import type { SettingSpec } from '../../core/contract/index.js';

/**
 * Per-user settings of `feishu-openid`: exactly one recipient. Ids are per app (open_id), per
 * developer (union_id) or per tenant (user_id); chat_id is a group the bot is in; email and mobile
 * are resolved to an open_id with contact batch_get_id.
 */
export const OPENID_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'open_id',
    required: false,
    secret: false,
    description: "The user's open_id (ou_…) for this channel's app; open_ids differ per app",
  },
  { key: 'user_id', required: false, secret: false, description: "The user's tenant user_id" },
  { key: 'union_id', required: false, secret: false, description: "The user's union_id (on_…)" },
  {
    key: 'chat_id',
    required: false,
    secret: false,
    description: 'A group chat (oc_…) the bot is a member of; the card goes to the group',
  },
  {
    key: 'email',
    required: false,
    secret: false,
    description: "The user's Feishu email, resolved to an open_id (contact:user.id:readonly)",
  },
  {
    key: 'mobile',
    required: false,
    secret: false,
    description: "The user's mobile (+86…), resolved to an open_id (contact:user.id:readonly)",
  },
];
