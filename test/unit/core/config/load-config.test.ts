import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { ConfigError } from '../../../../src/core/contract/index.js';

function writeConfig(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ngw-config-')), 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

function configErrorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadGatewayConfig', () => {
  it('applies defaults: embedded store, memory bus, mock channel, the documented retry policy', () => {
    const config = loadGatewayConfig({});
    expect(config.database.url).toMatch(/^sqlite:/);
    expect(config.broker.url).toBe('memory');
    expect(config.channels).toEqual([{ id: 'mock', plugin: 'mock' }]);
    expect(config.retry).toMatchObject({
      maxAttempts: 6,
      initialDelayMs: 1000,
      multiplier: 4,
      maxDelayMs: 3_600_000,
    });
  });

  it('interpolates ${ENV} and lets NOTIFY_* override the file', () => {
    const file = writeConfig(
      'server: { port: 9000 }\nchannels:\n  - { id: app, plugin: mock, config: { sinkUrl: "${SINK}" } }\n',
    );
    const config = loadGatewayConfig({
      NOTIFY_CONFIG: file,
      SINK: 'http://s',
      NOTIFY_PORT: '9100',
      NOTIFY_AMQP_URL: 'amqp://x',
    });
    expect(config.server.port).toBe(9100);
    expect(config.broker.url).toBe('amqp://x');
    expect(config.channels[0]?.config).toEqual({ sinkUrl: 'http://s' });
  });

  it('names the path of an unknown key', () => {
    expect(configErrorOf(() => parseGatewayConfig({ retry: { maxAttempt: 3 } })).path).toBe(
      'retry.maxAttempt',
    );
  });

  it('caps delivery.maxTextLength at what message_text holds, and defaults server.allowUnknownFields off', () => {
    expect(configErrorOf(() => parseGatewayConfig({ delivery: { maxTextLength: 4_000_001 } })).path).toBe(
      'delivery.maxTextLength',
    );
    expect(parseGatewayConfig({}).server.allowUnknownFields).toBe(false);
  });

  it('names the path of a bad value inside a list', () => {
    const error = configErrorOf(() =>
      parseGatewayConfig({
        channels: [
          { id: 'ok', plugin: 'mock' },
          { id: 'Bad.Id', plugin: 'mock' },
        ],
      }),
    );
    expect(error.path).toBe('channels[1].id');
  });

  it('names a missing environment variable', () => {
    const file = writeConfig('broker: { url: "${NOPE_NOT_SET}" }\n');
    expect(configErrorOf(() => loadGatewayConfig({ NOTIFY_CONFIG: file })).message).toMatch(/NOPE_NOT_SET/);
  });

  it('rejects duplicate channel ids', () => {
    expect(() =>
      parseGatewayConfig({
        channels: [
          { id: 'a', plugin: 'mock' },
          { id: 'a', plugin: 'mock' },
        ],
      }),
    ).toThrow(/unique/);
  });
});

describe('deploy/notify.yaml (used by docker-compose.yml)', () => {
  it('is a valid config once its environment is set', () => {
    const config = loadGatewayConfig({
      NOTIFY_CONFIG: 'deploy/notify.yaml',
      NOTIFY_API_KEY_SHA256: 'a'.repeat(64),
      FEISHU_APP_ID: 'cli_x',
      FEISHU_APP_SECRET: 'y',
    });
    expect(config.channels.map((channel) => channel.plugin)).toEqual([
      'feishu-webhook',
      'feishu-openid',
      'mock',
    ]);
    expect(config.auth.apiKeys).toHaveLength(1);
  });
});

describe('cross-field rules', () => {
  it('rejects a lease shorter than the send timeout, naming worker.leaseMs', () => {
    expect(
      configErrorOf(() => parseGatewayConfig({ worker: { leaseMs: 1000, sendTimeoutMs: 5000 } })).path,
    ).toBe('worker.leaseMs');
  });
});
