import { isObject, plainCode, randomHex, type Reply } from './reply.js';
import type { AppState, EmulatorState, TokenState } from './state.js';

/** Feishu keeps handing out the same token while at least 30 min remain (docs/feishu-notes.md §3.1). */
const REUSE_WHILE_SECONDS = 1800;

/** POST /open-apis/auth/v3/tenant_access_token/internal. */
export function handleToken(state: EmulatorState, bodyText: string): Reply {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return plainCode(200, 10003, 'invalid param');
  }
  if (!isObject(body) || typeof body['app_id'] !== 'string') return plainCode(200, 10003, 'invalid param');
  const app = state.apps.get(body['app_id']);
  if (!app) return plainCode(200, 10003, 'invalid param');
  if (body['app_secret'] !== app.secret) return plainCode(200, 10014, 'app secret invalid');
  const now = state.clock.now();
  const token = currentOrNew(state, app, body['app_id'], now);
  const expire = Math.floor((token.expiresAt - now) / 1000);
  return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token.token, expire } };
}

function currentOrNew(state: EmulatorState, app: AppState, appId: string, now: number): TokenState {
  const current = app.current;
  if (current && !current.revoked && current.expiresAt - now >= REUSE_WHILE_SECONDS * 1000) return current;
  // The old token stays valid until its own expiry: the two overlap, as on real Feishu.
  const lifetime = app.options.tokenLifetimeSeconds ?? 7200;
  const issued: TokenState = {
    token: `t-${randomHex(20)}`,
    appId,
    expiresAt: now + lifetime * 1000,
    revoked: false,
  };
  state.tokens.set(issued.token, issued);
  app.current = issued;
  app.tokensIssued += 1;
  return issued;
}
