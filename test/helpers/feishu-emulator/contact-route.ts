import { authorize } from './messages-route.js';
import { feishuError, isObject, type Reply } from './reply.js';
import type { EmulatorState } from './state.js';

/**
 * POST /open-apis/contact/v3/users/batch_get_id?user_id_type=open_id (docs/feishu-notes.md §9.2): ≤ 50 emails
 * and ≤ 50 mobiles; one entry per input, `user_id` omitted when nobody matches (no error code).
 */
export function handleContact(
  state: EmulatorState,
  authorization: string | undefined,
  bodyText: string,
): Reply {
  const auth = authorize(state, authorization);
  if ('status' in auth) return auth;
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return feishuError(400, 9499, 'Bad Request');
  }
  if (!isObject(body)) return feishuError(400, 9499, 'Bad Request');
  const emails = Array.isArray(body['emails']) ? (body['emails'] as unknown[]).map(String) : [];
  const mobiles = Array.isArray(body['mobiles']) ? (body['mobiles'] as unknown[]).map(String) : [];
  if (emails.length > 50 || mobiles.length > 50) {
    return feishuError(400, 99992402, 'field validation failed: at most 50 emails and 50 mobiles');
  }
  const users = [...auth.app.users.entries()];
  const userList = [
    ...emails.map((email) => {
      const found = users.find(([, user]) => user.options.email === email);
      return found ? { user_id: found[0], email, status: ACTIVE } : { email };
    }),
    ...mobiles.map((mobile) => {
      const found = users.find(([, user]) => user.options.mobile === mobile);
      return found ? { user_id: found[0], mobile, status: ACTIVE } : { mobile };
    }),
  ];
  return { status: 200, body: { code: 0, msg: 'success', data: { user_list: userList } } };
}

const ACTIVE = {
  is_frozen: false,
  is_resigned: false,
  is_activated: true,
  is_exited: false,
  is_unjoin: false,
};
