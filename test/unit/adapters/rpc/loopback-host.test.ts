import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { ConfigError } from '../../../../src/core/contract/index.js';
import { isLoopbackHost, type ResolveAll } from '../../../../src/adapters/rpc/loopback-host.js';
import { startGateway } from '../../../../src/server.js';

/** A resolver answering from a fixed table (unknown names fail like NXDOMAIN). */
function resolverOf(table: Record<string, string[]>): ResolveAll {
  return (host) => {
    const addresses = table[host];
    if (!addresses)
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
}

describe('isLoopbackHost', () => {
  const resolve = resolverOf({
    '127.attacker.example': ['203.0.113.5'],
    '127.0.0.1.nip.example': ['127.0.0.1', '10.1.2.3'],
    localhost: ['127.0.0.1', '::1'],
    'box.internal': ['127.0.1.1'],
  });

  it('accepts loopback IP literals without resolving them', async () => {
    const never: ResolveAll = () => Promise.reject(new Error('must not resolve an IP literal'));
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(await isLoopbackHost(host, never), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', '128.0.0.1', '::ffff:10.0.0.1'])
      expect(await isLoopbackHost(host, never), host).toBe(false);
  });

  it('judges a name by every address it resolves to, not by its spelling', async () => {
    expect(await isLoopbackHost('127.attacker.example', resolve)).toBe(false);
    expect(await isLoopbackHost('127.0.0.1.nip.example', resolve)).toBe(false);
    expect(await isLoopbackHost('127.does-not-resolve.example', resolve)).toBe(false);
    expect(await isLoopbackHost('localhost', resolve)).toBe(true);
    expect(await isLoopbackHost('box.internal', resolve)).toBe(true);
  });
});

describe('startGateway on a host name that only looks like loopback', () => {
  it('refuses to serve without API keys (config error naming auth.apiKeys)', async () => {
    // RFC 6761: .invalid never resolves, so the name cannot be shown to be loopback.
    const config = parseGatewayConfig({ server: { host: '127.0.0.1.invalid', port: 0 } });
    const error = await startGateway({ config, mode: 'api' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/auth\.apiKeys.*127\.0\.0\.1\.invalid is not loopback/);
  });

  it('refuses server.metricsRequireKey without any API key', async () => {
    const config = parseGatewayConfig({ server: { port: 0, metricsRequireKey: true } });
    const error = await startGateway({ config, mode: 'api' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('server.metricsRequireKey');
  });
});
