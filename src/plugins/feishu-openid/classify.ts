import { ProviderErrorCode as C } from '../../core/contract/index.js';
import { permanent, temporary } from '../http-kit/verdict.js';
import {
  buildCodeTable,
  COMMON_CODES,
  COMMON_RULES,
  type CodeTable,
} from '../feishu-common/classification.js';

/**
 * Token codes that mean "this tenant token is bad, get another": evict, refetch, retry once
 * (docs/feishu-notes.md §3.4). Only a second occurrence is a failure (provider_auth_failed, see below).
 */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([
  99991661, 99991663, 99991664, 99991665, 99991671,
]);

/** im/v1 send codes (docs/feishu-notes.md §3.4 and §6) on top of the codes both APIs share. */
const SEND_CODES = [
  [[...TOKEN_INVALID_CODES, 99991662, 99991673, 99991668, 99991677], permanent(C.authFailed)],
  [[99991672, 99991676, 99991401, 230002, 230006, 230018, 230027, 230036], permanent(C.permissionDenied)],
  [[230034, 230029, 232009, 99992351, 99992352, 99992361], permanent(C.recipientMissing)],
  [[230013, 230035, 230038, 230053, 230075], permanent(C.recipientUnreachable)],
  [
    [230001, 230015, 230017, 230019, 230054, 230055, 230025, 230099, 99992402, 10003],
    permanent(C.payloadInvalid),
  ],
  [[230022, 230028], permanent(C.contentRejected)],
  // The per-user/per-group 5 QPS limit answers HTTP 400 230020 without any reset header.
  [[230020], temporary(C.rateLimited)],
  // A duplicate of a uuid still being processed: retry the same uuid shortly.
  [[230049, 18121], temporary(C.inFlight)],
] as const;

/** Token endpoint codes (docs/feishu-notes.md §3.1). */
const TOKEN_CODES = [
  [[10003, 10014, 10015, 20002, 99991543, 99991662, 99991673], permanent(C.authFailed)],
] as const;

/** Everything the open_id plugin knows about im/v1 send codes. */
export const SEND_CODE_TABLE: CodeTable = buildCodeTable([COMMON_CODES, SEND_CODES], COMMON_RULES);

/** Everything the open_id plugin knows about tenant_access_token codes. */
export const TOKEN_CODE_TABLE: CodeTable = buildCodeTable([COMMON_CODES, TOKEN_CODES], COMMON_RULES);
