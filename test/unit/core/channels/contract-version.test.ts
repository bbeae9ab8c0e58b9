import { describe, expect, it } from 'vitest';
import { createChannelRegistry } from '../../../../src/core/channels/channel-registry.js';
import { satisfiesRange } from '../../../../src/core/channels/semver-range.js';
import {
  CONTRACT_VERSION,
  ConfigError,
  definePlugin,
  type PluginContext,
  type PluginLogger,
} from '../../../../src/core/contract/index.js';

function recordingLogger(lines: Array<{ level: string; fields: unknown; message: string }>): PluginLogger {
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const pluginFor = (contractVersion: string | undefined) =>
  definePlugin<Record<string, never>>({
    id: 'acme-pager',
    version: '3.1.4',
    ...(contractVersion === undefined ? {} : { contractVersion }),
    settings: [],
    parseConfig: () => ({}),
    createProvider: () => ({
      idempotent: true,
      send: () => Promise.resolve({ outcome: 'success' }),
    }),
  });

async function load(contractVersion: string | undefined, lines: Parameters<typeof recordingLogger>[0] = []) {
  return createChannelRegistry(
    [{ id: 'pager', plugin: 'acme-pager', config: {} }],
    [pluginFor(contractVersion)],
    (channel): PluginContext => ({ channel, logger: recordingLogger(lines), now: () => new Date() }),
  );
}

describe('plugin contractVersion', () => {
  it('loads a plugin whose range contains the contract version, logging its version', async () => {
    const lines: Parameters<typeof recordingLogger>[0] = [];
    const registry = await load('^1.0.0', lines);
    expect(registry.get('pager')?.pluginId).toBe('acme-pager');
    expect(lines).toEqual([
      {
        level: 'info',
        fields: {
          plugin: 'acme-pager',
          plugin_version: '3.1.4',
          contract_version: CONTRACT_VERSION,
          plugin_contract: '^1.0.0',
        },
        message: 'channel loaded',
      },
    ]);
  });

  it('refuses at boot a plugin written for another contract, naming the plugin and both versions', async () => {
    const refused = load('^2.0.0');
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(
      `plugin "acme-pager" 3.1.4 targets plugin contract ^2.0.0, but this gateway implements contract ${CONTRACT_VERSION}`,
    );
    await expect(refused).rejects.toMatchObject({ path: 'channels[0].plugin' });
  });

  it('refuses an unreadable range, and warns about a plugin that declares none', async () => {
    await expect(load('one point oh')).rejects.toThrow(
      /plugin "acme-pager" 3.1.4 declares contractVersion "one point oh"/,
    );
    const lines: Parameters<typeof recordingLogger>[0] = [];
    await load(undefined, lines);
    expect(lines.map((line) => line.level)).toEqual(['warn']);
  });

  it('matches npm semver ranges', () => {
    const cases: Array<[string, string, boolean]> = [
      ['1.0.0', '^1.0.0', true],
      ['1.4.2', '^1.0.0', true],
      ['2.0.0', '^1.0.0', false],
      ['0.9.9', '^1.0.0', false],
      ['0.2.5', '^0.2.3', true],
      ['0.3.0', '^0.2.3', false],
      ['1.2.9', '~1.2.3', true],
      ['1.3.0', '~1.2.3', false],
      ['1.5.0', '>=1.0.0 <2.0.0', true],
      ['2.0.0', '>=1.0.0 <2.0.0', false],
      ['1.9.0', '1.x', true],
      ['3.0.0', '^1.0.0 || ^3.0.0', true],
      ['1.0.0', '*', true],
      ['1.0.1', '1.0.0', false],
      ['1.3.0', '>1.2', true],
      ['1.2.9', '>1.2', false],
      ['1.2.9', '<=1.2', true],
    ];
    for (const [version, range, expected] of cases) {
      expect(satisfiesRange(version, range), `${version} in ${range}`).toBe(expected);
    }
  });
});
