import { ProviderErrorCode as C } from '../../core/contract/index.js';
import { permanent } from '../http-kit/verdict.js';
import {
  buildCodeTable,
  COMMON_CODES,
  COMMON_RULES,
  type CodeTable,
} from '../feishu-common/classification.js';

/** Webhook body codes (docs/feishu-notes.md §2.4, §2.5, §6) on top of the codes both APIs share. */
const WEBHOOK_CODES = [
  // Unknown hook token: the URL is mistyped or the bot was removed from the group.
  [[19001], permanent(C.invalidUrl)],
  [[19002, 19036], permanent(C.payloadInvalid)],
  // Wrong secret or clock skew > 1 h; check the host clock before blaming the secret.
  [[19021], permanent(C.authFailed)],
  [[19022], permanent(C.permissionDenied)],
  [[19024], permanent(C.contentRejected)],
] as const;

/** Everything the webhook plugin knows about Feishu body codes. */
export const WEBHOOK_CODE_TABLE: CodeTable = buildCodeTable([COMMON_CODES, WEBHOOK_CODES], COMMON_RULES);
