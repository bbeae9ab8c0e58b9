import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendResult } from '../../../../src/core/contract/index.js';
import { feishuWebhookPlugin } from '../../../../src/plugins/feishu-webhook/index.js';
import {
  startFeishuEmulator,
  type FeishuEmulator,
  type Fault,
  type WebhookOptions,
} from '../../../helpers/feishu-emulator/index.js';
import {
  expectNoSecrets,
  expectValidResult,
  makeContext,
  makeRequest,
  uniqueId,
} from '../feishu-test-kit.js';

/** One row per case of docs/feishu-notes.md §6 that the webhook can meet (im/v1 rows: openid tests). */
interface Row {
  readonly case: string;
  readonly faults?: readonly Fault[];
  readonly webhook?: WebhookOptions;
  readonly secret?: string;
  readonly url?: (emu: FeishuEmulator, token: string) => string;
  readonly config?: Record<string, unknown>;
  readonly text?: string;
  readonly now?: () => Date;
  /** Whether the emulator must have seen the request (pre-flight rows must not). */
  readonly reaches: boolean;
  readonly expected: Partial<SendResult>;
}

const T = 'temporary_fail' as const;
const P = 'permanent_fail' as const;
const code = (c: number, msg = `emulated ${c}`, status = 200): Fault => ({
  type: 'code',
  code: c,
  msg,
  status,
});
const http = (status: number, body: string | Record<string, unknown> = '<html>x</html>'): Fault => ({
  type: 'http',
  status,
  body,
});

const ROWS: Row[] = [
  { case: '2xx, code and StatusCode 0', reaches: true, expected: { outcome: 'success' } },
  {
    case: '2xx, legacy body (code absent)',
    faults: [http(200, { Extra: null, StatusCode: 0, StatusMessage: 'success' })],
    reaches: true,
    expected: { outcome: 'success' },
  },
  {
    case: '2xx, code 0 but StatusCode non-zero',
    faults: [http(200, { code: 0, StatusCode: 19001, StatusMessage: 'token invalid' })],
    reaches: true,
    expected: { outcome: P, errorCode: 'invalid_url' },
  },
  {
    case: 'connect refused',
    url: (_emu, token) => `http://localhost:${closedPort}/open-apis/bot/v2/hook/${token}`,
    // A getter: the port is only known once beforeAll has run.
    get config() {
      return { allowedPorts: [closedPort] };
    },
    reaches: false,
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: false },
  },
  {
    case: 'DNS failure',
    url: (emu, token) => emu.webhookUrl(token, 'no-such-host.invalid'),
    config: { allowedHosts: ['no-such-host.invalid'] },
    reaches: false,
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: false },
  },
  {
    case: 'TLS failure (https to a plain server)',
    url: (emu, token) => emu.webhookUrl(token).replace('http:', 'https:'),
    reaches: false,
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: false },
  },
  {
    case: 'reset before response (after the request was written)',
    faults: [{ type: 'reset' }],
    reaches: true,
    expected: { outcome: T, errorCode: 'network_error', outcomeUnknown: true },
  },
  {
    case: 'client timeout, retryOnUnknownOutcome true',
    faults: [{ type: 'hang' }],
    config: { timeoutMs: 300 },
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_timeout', outcomeUnknown: true },
  },
  {
    case: 'client timeout, retryOnUnknownOutcome false',
    faults: [{ type: 'hang' }],
    config: { timeoutMs: 300, retryOnUnknownOutcome: false },
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_timeout', outcomeUnknown: true },
  },
  ...[500, 502, 503, 504].map((status): Row => ({
    case: `HTTP ${status}`,
    faults: [http(status)],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_5xx' },
  })),
  ...[1500, 2200, 5000, 10101, 55001].map((c): Row => ({
    case: `internal code ${c}`,
    faults: [code(c)],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_5xx' },
  })),
  {
    case: '11246 "Service Internal Error"',
    faults: [code(11246, 'Service Internal Error')],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_5xx' },
  },
  {
    case: '11246 other msg',
    faults: [code(11246, 'message content build failed')],
    reaches: true,
    expected: { outcome: P, errorCode: 'payload_invalid' },
  },
  {
    case: 'HTTP 429',
    faults: [http(429, '')],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_rate_limited' },
  },
  {
    case: '99991400 with x-ogw-ratelimit-reset',
    faults: [{ type: 'rateLimit', resetSeconds: 7 }],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_rate_limited', retryAfterMs: 7000 },
  },
  ...[11232, 11233, 11247].map((c): Row => ({
    case: `rate code ${c}`,
    faults: [code(c)],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_rate_limited' },
  })),
  {
    case: '9499 "too many request" (HTTP 400)',
    faults: [code(9499, 'too many request', 400)],
    reaches: true,
    expected: { outcome: T, errorCode: 'provider_rate_limited' },
  },
  {
    case: '19021 wrong secret',
    webhook: { secret: 'right-secret' },
    secret: 'wrong-secret',
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_auth_failed' },
  },
  {
    case: '19021 clock skew > 1 h',
    webhook: { secret: 'skew-secret' },
    secret: 'skew-secret',
    now: () => new Date(Date.now() - 2 * 3600_000),
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_auth_failed' },
  },
  {
    case: '19022 IP allowlist',
    webhook: { ipAllowlist: ['10.1.2.*'] },
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_permission_denied' },
  },
  {
    case: '19001 unknown hook token',
    url: (emu) => emu.webhookUrl('not-registered-token'),
    reaches: true,
    expected: { outcome: P, errorCode: 'invalid_url' },
  },
  {
    case: 'HTTP 404 (HTML)',
    faults: [http(404, '<html>not found</html>')],
    reaches: true,
    expected: { outcome: P, errorCode: 'invalid_url' },
  },
  {
    case: '99991201 (HTTP 404)',
    faults: [code(99991201, 'resource not find', 404)],
    reaches: true,
    expected: { outcome: P, errorCode: 'invalid_url' },
  },
  {
    case: 'URL not a /open-apis/bot/v2/hook/ URL',
    url: (emu) => `http://localhost:${emu.port}/open-apis/im/v1/messages`,
    reaches: false,
    expected: { outcome: P, errorCode: 'invalid_url' },
  },
  ...[9499, 19002, 19036].map((c): Row => ({
    case: `payload code ${c}`,
    faults: [code(c, 'Bad Request')],
    reaches: true,
    expected: { outcome: P, errorCode: 'payload_invalid' },
  })),
  {
    case: 'body > 20 KB (pre-flight)',
    text: 'x'.repeat(21 * 1024),
    reaches: false,
    expected: { outcome: P, errorCode: 'payload_invalid' },
  },
  {
    case: '19024 keyword missing',
    webhook: { keywords: ['ALERT'] },
    reaches: true,
    expected: { outcome: P, errorCode: 'content_rejected' },
  },
  {
    case: '99991403 monthly quota',
    faults: [code(99991403, 'monthly quota exceeded')],
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_quota_exceeded' },
  },
  {
    case: 'unknown non-zero code, HTTP < 500',
    faults: [code(424242)],
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_bad_response' },
  },
  {
    case: '2xx body that is not JSON',
    faults: [http(200, '<html>proxy</html>')],
    reaches: true,
    expected: { outcome: P, errorCode: 'provider_bad_response', outcomeUnknown: true },
  },
  {
    case: 'pre-flight: webhook not configured',
    url: () => '',
    reaches: false,
    expected: { outcome: 'skipped' },
  },
];

let emu: FeishuEmulator;
let closedPort: number;

beforeAll(async () => {
  emu = await startFeishuEmulator();
  closedPort = await findClosedPort();
});
afterAll(async () => {
  await emu.close();
});

describe('feishu-webhook classification (docs/feishu-notes.md §6)', () => {
  it.each(ROWS.map((row) => [row.case, row] as const))('%s', async (_name, row) => {
    const token = uniqueId('tok-');
    emu.addWebhook(token, row.webhook ?? {});
    if (row.faults) emu.injectFaults(row.faults.map((fault) => ({ ...fault, route: 'webhook' })));
    const config = feishuWebhookPlugin.parseConfig(
      {
        allowedHosts: ['localhost'],
        allowHttp: true,
        allowedPorts: [emu.port],
        allowPrivateNetwork: true,
        timeoutMs: 2000,
        ...row.config,
      },
      'channels[0].config',
    );
    const provider = feishuWebhookPlugin.createProvider(config, makeContext(row.now));
    const url = row.url ? row.url(emu, token) : emu.webhookUrl(token);
    const before = emu.requests.length;
    const settings: Record<string, string> = {
      webhook_url: url,
      ...(row.secret ? { secret: row.secret } : {}),
    };
    try {
      const result = await provider.send(makeRequest(settings, row.text ? { text: row.text } : {}));
      expectValidResult(result);
      expect(result).toMatchObject(row.expected);
      const seen = emu.requests.length - before;
      expect(seen > 0).toBe(row.reaches);
      expectNoSecrets(
        result,
        [url, token, ...(row.secret ? [row.secret] : [])].filter((s) => s !== ''),
      );
    } finally {
      await provider.close?.();
    }
  });
});

function findClosedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
