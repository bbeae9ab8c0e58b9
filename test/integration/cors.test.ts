import http2 from 'node:http2';
import { cors } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const ALLOWED = 'https://app.example.com';
const TRIGGER_PATH = '/notify.v1.NotificationService/Trigger';

/** A browser's preflight before a cross-origin Connect or gRPC-Web POST. */
function preflight(baseUrl: string, origin: string, requestHeaders: string): Promise<Response> {
  return fetch(`${baseUrl}${TRIGGER_PATH}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': requestHeaders,
    },
  });
}

function connectTrigger(baseUrl: string, origin: string): Promise<Response> {
  return fetch(`${baseUrl}${TRIGGER_PATH}`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', 'connect-protocol-version': '1' },
    body: JSON.stringify({
      userId: `cors-${uniqueSuffix()}`,
      triggerId: 't',
      message: { text: 'from a web page' },
      channels: ['mock'],
    }),
  });
}

describe('CORS (server.cors.allowedOrigins)', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({ server: { cors: { allowedOrigins: [ALLOWED] } } });
  });
  afterAll(() => harness?.stop());

  it('answers a Connect preflight from an allowed origin with connect’s header lists', async () => {
    const response = await preflight(
      harness.baseUrl,
      ALLOWED,
      'content-type,connect-protocol-version,connect-timeout-ms,authorization',
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const methods = response.headers.get('access-control-allow-methods') ?? '';
    for (const method of cors.allowedMethods) expect(methods).toContain(method);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of [...cors.allowedHeaders, 'Authorization', 'Traceparent'])
      expect(allowed).toContain(header.toLowerCase());
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('answers a gRPC-Web preflight the same way', async () => {
    const response = await preflight(
      harness.baseUrl,
      ALLOWED,
      'content-type,x-grpc-web,x-user-agent,grpc-timeout',
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-grpc-web');
  });

  it('refuses a preflight from any other origin, without CORS headers', async () => {
    const response = await preflight(harness.baseUrl, 'https://evil.example.net', 'content-type');
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the actual call from an allowed origin carries the CORS headers a page needs to read it', async () => {
    const response = await connectTrigger(harness.baseUrl, ALLOWED);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const header of cors.exposedHeaders) expect(exposed).toContain(header.toLowerCase());
    const body = (await response.json()) as { notifications: Array<{ status: string }> };
    expect(body.notifications[0]?.status).toBe('NOTIFICATION_STATUS_PENDING');
  });

  it('the same call from another origin gets no CORS headers (the browser withholds the answer)', async () => {
    const response = await connectTrigger(harness.baseUrl, 'https://evil.example.net');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    await response.arrayBuffer();
  });

  it('works over HTTP/2 too (a browser may speak h2 to a proxy in front)', async () => {
    const session = http2.connect(harness.baseUrl);
    try {
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = session.request({
          ':method': 'OPTIONS',
          ':path': TRIGGER_PATH,
          origin: ALLOWED,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-grpc-web',
        });
        stream.on('response', resolve);
        stream.on('error', reject);
        stream.resume();
        stream.end();
      });
      expect(headers[':status']).toBe(204);
      expect(headers['access-control-allow-origin']).toBe(ALLOWED);
    } finally {
      session.close();
    }
  });
});

describe('CORS off (the default)', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway();
  });
  afterAll(() => harness?.stop());

  it('adds no CORS headers and leaves preflights unanswered', async () => {
    const response = await preflight(harness.baseUrl, ALLOWED, 'content-type');
    expect(response.status).not.toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
