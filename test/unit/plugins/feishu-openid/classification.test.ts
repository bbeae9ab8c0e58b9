import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendResult } from '../../../../src/core/contract/index.js';
import { feishuOpenidPlugin } from '../../../../src/plugins/feishu-openid/index.js';
import {
  startFeishuEmulator,
  type FeishuEmulator,
  type Fault,
  type UserOptions,
} from '../../../helpers/feishu-emulator/index.js';
import {
  expectNoSecrets,
  expectValidResult,
  makeContext,
  makeRequest,
  uniqueId,
} from '../feishu-test-kit.js';

/** One row per case of docs/feishu-notes.md §6 (and §3.4 codes) that the app bot can meet. */
interface Row {
  readonly case: string;
  readonly faults?: readonly Fault[];
  readonly user?: UserOptions | 'unknown' | 'none';
  readonly config?: Record<string, unknown>;
  readonly request?: Parameters<typeof makeRequest>[1];
  readonly expected: Partial<SendResult>;
  /** How many im/v1 calls reach the emulator (default 1). */
  readonly sends?: number;
}

const T = 'temporary_fail' as const;
const P = 'permanent_fail' as const;
const send = (fault: Fault): Fault => ({ ...fault, route: 'messages' });
const token = (fault: Fault): Fault => ({ ...fault, route: 'token' });
const code = (c: number, status = 400, msg = `emulated ${c}`): Fault => ({
  type: 'code',
  code: c,
  status,
  msg,
});
const rows = (codes: number[], errorCode: string, outcome: SendResult['outcome'] = P, status = 400): Row[] =>
  codes.map((c) => ({
    case: `code ${c} → ${errorCode}`,
    faults: [send(code(c, status))],
    expected: { outcome, errorCode },
  }));

const APP = 'cli_emu_app';
const APP_SECRET = 'app-secret-value-42';

const ROWS: Row[] = [
  { case: 'code 0 with data.message_id', expected: { outcome: 'success' } },
  {
    case: 'connect refused (token fetch)',
    config: { baseUrl: 'http://127.0.0.1:1' },
    sends: 0,
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: false },
  },
  {
    case: 'reset before response',
    faults: [send({ type: 'reset' })],
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: true },
  },
  {
    case: 'client timeout (safe with uuid)',
    faults: [send({ type: 'hang' })],
    config: { timeoutMs: 300 },
    expected: { outcome: T, errorCode: 'provider_timeout', outcomeUnknown: true },
  },
  ...[500, 502, 503, 504].map((status): Row => ({
    case: `HTTP ${status}`,
    faults: [send({ type: 'http', status, body: '<html>bad gateway</html>' })],
    expected: { outcome: T, errorCode: 'provider_5xx' },
  })),
  ...rows([1500, 2200, 5000, 10101, 55001], 'provider_5xx', T, 200),
  {
    case: '11246 "Service Internal Error"',
    faults: [send(code(11246, 200, 'Service Internal Error'))],
    expected: { outcome: T, errorCode: 'provider_5xx' },
  },
  {
    case: '11246 content build failed',
    faults: [send(code(11246, 400, 'message content build failed'))],
    expected: { outcome: P, errorCode: 'payload_invalid' },
  },
  {
    case: 'HTTP 429 without body',
    faults: [send({ type: 'http', status: 429, body: '' })],
    expected: { outcome: T, errorCode: 'provider_rate_limited' },
  },
  {
    case: '99991400 + x-ogw-ratelimit-reset → retryAfterMs',
    faults: [send({ type: 'rateLimit', resetSeconds: 12 })],
    expected: { outcome: T, errorCode: 'provider_rate_limited', retryAfterMs: 12_000 },
  },
  {
    case: '99991400 with only Retry-After',
    faults: [send({ type: 'code', code: 99991400, status: 429, headers: { 'retry-after': '3' } })],
    expected: { outcome: T, errorCode: 'provider_rate_limited', retryAfterMs: 3000 },
  },
  ...rows([11232, 11233, 11247, 230020], 'provider_rate_limited', T),
  ...rows([230049, 18121], 'provider_in_flight', T).map((row) => ({
    ...row,
    expected: { ...row.expected, retryAfterMs: 1000 },
  })),
  {
    case: 'token endpoint 429',
    faults: [token({ type: 'rateLimit', resetSeconds: 2 })],
    sends: 0,
    expected: { outcome: T, errorCode: 'provider_rate_limited', retryAfterMs: 2000, outcomeUnknown: false },
  },
  {
    case: 'token endpoint 503',
    faults: [token({ type: 'http', status: 503 })],
    sends: 0,
    expected: { outcome: T, errorCode: 'provider_5xx' },
  },
  {
    case: 'token endpoint timeout',
    faults: [token({ type: 'hang' })],
    config: { timeoutMs: 300 },
    sends: 0,
    expected: { outcome: T, errorCode: 'provider_timeout', outcomeUnknown: false },
  },
  {
    case: 'token endpoint network reset',
    faults: [token({ type: 'reset' })],
    sends: 0,
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: false },
  },
  {
    case: 'token 10003 (unknown app_id)',
    config: { appId: 'cli_unknown' },
    sends: 0,
    expected: { outcome: P, errorCode: 'provider_auth_failed' },
  },
  {
    case: 'token 10014 (wrong secret)',
    config: { appSecret: 'wrong-secret-value' },
    sends: 0,
    expected: { outcome: P, errorCode: 'provider_auth_failed' },
  },
  ...[10015, 20002, 99991543].map((c): Row => ({
    case: `token ${c}`,
    faults: [token(code(c, 200))],
    sends: 0,
    expected: { outcome: P, errorCode: 'provider_auth_failed' },
  })),
  ...[99991661, 99991663, 99991664, 99991665, 99991671].map((c): Row => ({
    case: `${c} twice (after one evict-refetch-retry)`,
    faults: [send({ ...code(c), times: 2 })],
    sends: 2,
    expected: { outcome: P, errorCode: 'provider_auth_failed' },
  })),
  ...rows([99991662, 99991673, 99991668, 99991677], 'provider_auth_failed'),
  ...rows(
    [99991401, 99991672, 99991676, 230006, 230027, 230002, 230018, 230036],
    'provider_permission_denied',
  ),
  {
    case: '230034 (unknown open_id, natural)',
    user: 'unknown',
    expected: { outcome: P, errorCode: 'recipient_missing' },
  },
  ...rows([230029, 232009, 99992351, 99992352, 99992361], 'recipient_missing'),
  {
    case: '230013 outside availability (natural)',
    user: { inAvailability: false },
    expected: { outcome: P, errorCode: 'recipient_unreachable' },
  },
  {
    case: '230053 user blocked the bot (natural)',
    user: { blockedBot: true },
    expected: { outcome: P, errorCode: 'recipient_unreachable' },
  },
  ...rows([230035, 230038, 230075], 'recipient_unreachable'),
  ...rows(
    [9499, 230001, 230015, 230017, 230019, 230054, 230055, 230025, 230099, 99992402, 10003],
    'payload_invalid',
  ),
  {
    case: 'uuid > 50 chars (pre-flight)',
    request: { idempotencyKey: 'k'.repeat(51) },
    sends: 0,
    expected: { outcome: P, errorCode: 'payload_invalid' },
  },
  {
    case: 'text content > 150 KB (pre-flight)',
    request: { text: 'x'.repeat(151 * 1024) },
    sends: 0,
    expected: { outcome: P, errorCode: 'payload_invalid' },
  },
  ...rows([230022, 230028], 'content_rejected'),
  ...rows([99991403], 'provider_quota_exceeded', P, 200),
  {
    case: 'unknown non-zero code, HTTP 400',
    faults: [send(code(777777))],
    expected: { outcome: P, errorCode: 'provider_bad_response' },
  },
  {
    case: '2xx body not JSON',
    faults: [send({ type: 'http', status: 200, body: 'OK' })],
    expected: { outcome: P, errorCode: 'provider_bad_response', outcomeUnknown: true },
  },
  {
    case: 'code 0 without message_id',
    faults: [send({ type: 'http', status: 200, body: { code: 0, msg: 'success', data: {} } })],
    expected: { outcome: P, errorCode: 'provider_bad_response', outcomeUnknown: true },
  },
  { case: 'pre-flight: no open_id', user: 'none', sends: 0, expected: { outcome: 'skipped' } },
];

let emu: FeishuEmulator;
beforeAll(async () => {
  emu = await startFeishuEmulator();
  emu.addApp(APP, APP_SECRET);
});
afterAll(async () => {
  await emu.close();
});

describe('feishu-openid classification (docs/feishu-notes.md §6, §3.4)', () => {
  it.each(ROWS.map((row) => [row.case, row] as const))('%s', async (_name, row) => {
    const openId = uniqueId('ou_');
    if (row.user !== 'unknown' && row.user !== 'none') emu.addUser(APP, openId, row.user ?? {});
    if (row.faults) emu.injectFaults(row.faults);
    const raw = { appId: APP, appSecret: APP_SECRET, baseUrl: emu.baseUrl, timeoutMs: 2000, ...row.config };
    const provider = feishuOpenidPlugin.createProvider(
      feishuOpenidPlugin.parseConfig(raw, 'c'),
      makeContext(),
    );
    const before = emu.requestsTo('messages').length;
    try {
      const result = await provider.send(
        makeRequest(row.user === 'none' ? {} : { open_id: openId }, row.request),
      );
      expectValidResult(result);
      expect(result).toMatchObject(row.expected);
      expect(emu.requestsTo('messages').length - before).toBe(row.sends ?? 1);
      const tokens = emu.requestsTo('token').flatMap((r) => {
        const json = r.json as { app_secret?: string } | undefined;
        return json?.app_secret ? [json.app_secret] : [];
      });
      const issued = emu.requests.flatMap((r) =>
        typeof r.headers.authorization === 'string' ? [r.headers.authorization.slice(7)] : [],
      );
      expectNoSecrets(result, [APP_SECRET, ...tokens, ...issued]);
    } finally {
      await provider.close?.();
      emu.clearLogs();
    }
  });
});
