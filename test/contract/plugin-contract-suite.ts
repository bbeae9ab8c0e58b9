import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { satisfiesRange } from '../../src/core/channels/semver-range.js';
import {
  CONTRACT_VERSION,
  ConfigError,
  DELIVERY_OUTCOMES,
  SettingsError,
  type ChannelPlugin,
  type ChannelProvider,
  type PluginContext,
  type SendRequest,
  type SendResult,
} from '../../src/core/contract/index.js';

/** What a plugin's contract run needs; everything the suite cannot know about the plugin. */
export interface PluginContractSetup<Config = unknown> {
  readonly plugin: ChannelPlugin<Config>;
  /** A raw channel config (as read from YAML) that parses and points at a working upstream. */
  readonly config: unknown;
  /** Fresh per-user settings that deliver successfully (called once per send). */
  settingsValid(): Record<string, string>;
  /** Settings that must be refused by validateSettings (or, without it, by send). Omit if none exist. */
  readonly settingsInvalid?: Record<string, string>;
  /** Values that must never appear in a SendResult; evaluated after the sends (tokens appear late). */
  secrets(): readonly string[];
  /** How many messages the upstream has accepted so far. */
  delivered(): number | Promise<number>;
  /** Defaults to a real clock and a silent logger. */
  context?(): PluginContext;
  /** Stop emulators etc. */
  teardown?(): Promise<void>;
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };
let sequence = 0;

/** A SendRequest with contract-neutral defaults. */
export function contractRequest(
  settings: Record<string, string>,
  overrides: Partial<SendRequest> = {},
): SendRequest {
  sequence += 1;
  return {
    notificationId: `contract-${sequence}`,
    idempotencyKey: `contract-${process.pid}-${Date.now().toString(36)}-${sequence}`,
    attemptNo: 1,
    userId: 'contract-user',
    channel: 'contract-channel',
    text: 'Contract suite message',
    triggerId: `contract-trigger-${sequence}`,
    triggerType: 'contract_check',
    target: { type: 'task', id: 't-1', url: 'https://example.com/tasks/t-1' },
    settings,
    metadata: {},
    traceId: `trace-${sequence}`,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Asserts a SendResult is well-formed: a known outcome, a snake_case code unless success. */
export function expectWellFormed(result: SendResult): void {
  expect(DELIVERY_OUTCOMES).toContain(result.outcome);
  if (result.outcome !== 'success') expect(result.errorCode).toMatch(/^[a-z][a-z0-9_]*$/);
  if (result.retryAfterMs !== undefined) expect(result.retryAfterMs).toBeGreaterThanOrEqual(0);
}

/**
 * The conformance suite every channel plugin passes (docs/writing-a-plugin.md), published to
 * plugin authors as `notify-gateway/testing`. `setup` runs once in beforeAll; the suite creates
 * and closes its own providers.
 */
export function describePluginContract<Config>(
  name: string,
  setup: () => PluginContractSetup<Config> | Promise<PluginContractSetup<Config>>,
): void {
  describe(`plugin contract: ${name}`, () => {
    let s: PluginContractSetup<Config>;
    let provider: ChannelProvider;
    const results: SendResult[] = [];
    const context = (): PluginContext =>
      s.context?.() ?? { channel: 'contract-channel', logger: silentLogger, now: () => new Date() };
    const send = async (request: SendRequest): Promise<SendResult> => {
      const result = await provider.send(request);
      results.push(result);
      expectWellFormed(result);
      return result;
    };

    beforeAll(async () => {
      s = await setup();
      provider = s.plugin.createProvider(s.plugin.parseConfig(s.config, 'channels[0].config'), context());
    });
    afterAll(async () => {
      await provider?.close?.();
      await s?.teardown?.();
    });

    it('has a kebab-case id and well-formed, unique setting declarations', () => {
      expect(s.plugin.id).toMatch(/^[a-z][a-z0-9-]*$/);
      const keys = s.plugin.settings.map((spec) => spec.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const spec of s.plugin.settings) {
        expect(spec.key).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(typeof spec.required).toBe('boolean');
        expect(typeof spec.secret).toBe('boolean');
        expect(spec.description.length).toBeGreaterThan(0);
      }
    });

    it('declares a contractVersion range that this contract satisfies', () => {
      expect(typeof s.plugin.contractVersion).toBe('string');
      expect(satisfiesRange(CONTRACT_VERSION, s.plugin.contractVersion ?? '')).toBe(true);
    });

    it('parseConfig rejects an unknown key, naming its full path', () => {
      const base = s.config !== null && typeof s.config === 'object' ? s.config : {};
      const bad = { ...base, definitelyNotAKey: 1 };
      expect(() => s.plugin.parseConfig(bad, 'channels[3].config')).toThrow(ConfigError);
      try {
        s.plugin.parseConfig(bad, 'channels[3].config');
      } catch (error) {
        expect((error as ConfigError).path).toBe('channels[3].config.definitelyNotAKey');
      }
    });

    it('parseConfig rejects a non-mapping with the path', () => {
      expect(() => s.plugin.parseConfig('nonsense', 'channels[3].config')).toThrow(/channels\[3\]\.config/);
    });

    it('delivers one message per successful send', async () => {
      const before = await s.delivered();
      const result = await send(contractRequest(s.settingsValid()));
      expect(result.outcome).toBe('success');
      expect(await s.delivered()).toBe(before + 1);
    });

    it('handles concurrent sends on one shared provider', async () => {
      const before = await s.delivered();
      const batch = await Promise.all(
        Array.from({ length: 5 }, () => send(contractRequest(s.settingsValid()))),
      );
      expect(batch.map((r) => r.outcome)).toEqual(Array(5).fill('success'));
      expect(await s.delivered()).toBe(before + 5);
    });

    it('refuses invalid settings with SettingsError naming a declared key (or a failed send)', async () => {
      if (!s.settingsInvalid) return;
      const declared = s.plugin.settings.map((spec) => spec.key);
      if (provider.validateSettings) {
        let caught: unknown;
        try {
          provider.validateSettings(s.settingsInvalid);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(SettingsError);
        expect(declared).toContain((caught as SettingsError).key);
      }
      const result = await send(contractRequest(s.settingsInvalid));
      expect(result.outcome).not.toBe('success');
    });

    it('resolves (does not throw or hang) for an already-aborted request', async () => {
      const signal = AbortSignal.abort();
      await send(contractRequest(s.settingsValid(), { signal }));
    });

    it('never puts secrets in results', () => {
      expect(results.length).toBeGreaterThan(0);
      const serialized = JSON.stringify(results);
      for (const secret of s.secrets()) expect(serialized).not.toContain(secret);
    });

    it('resolves with a well-formed result when asked after close', async () => {
      const late = s.plugin.createProvider(s.plugin.parseConfig(s.config, 'channels[0].config'), context());
      await late.close?.();
      const result = await late.send(contractRequest(s.settingsValid()));
      results.push(result);
      expectWellFormed(result);
    });
  });
}
