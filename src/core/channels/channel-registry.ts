import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  type ChannelPlugin,
  type ChannelProvider,
  type PluginContext,
  type SettingSpec,
} from '../contract/index.js';
import type { ChannelConfigEntry } from '../config/gateway-config.js';
import { CONTRACT_VERSION } from '../contract/version.js';
import { isChannelPlugin } from './is-channel-plugin.js';
import { SemverRangeError, satisfiesRange } from './semver-range.js';

/** One configured channel: its id, the plugin that serves it and the live provider. */
export interface LoadedChannel {
  readonly id: string;
  readonly pluginId: string;
  readonly settings: readonly SettingSpec[];
  readonly provider: ChannelProvider;
}

/** The channels of this gateway, built once at boot. */
export interface ChannelRegistry {
  get(channelId: string): LoadedChannel | undefined;
  list(): readonly LoadedChannel[];
  close(): Promise<void>;
}

async function importPlugin(specifier: string, path: string): Promise<ChannelPlugin> {
  // Relative and absolute paths are files next to the config; anything else is a package name.
  const target =
    specifier.startsWith('.') || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(path, `cannot load plugin module "${specifier}": ${(error as Error).message}`);
  }
  const candidate = loaded.default ?? loaded.plugin;
  if (!isChannelPlugin(candidate)) {
    throw new ConfigError(
      path,
      `module "${specifier}" does not export a channel plugin (default or "plugin")`,
    );
  }
  return candidate;
}

/**
 * Refuses a plugin written for another contract: its `contractVersion` range must contain
 * CONTRACT_VERSION. The error names the plugin, its version and both sides.
 */
export function assertContractVersion(plugin: ChannelPlugin<unknown>, path: string): void {
  const range = plugin.contractVersion;
  if (range === undefined) return;
  const named = `plugin "${plugin.id}"${plugin.version ? ` ${plugin.version}` : ''}`;
  let fits: boolean;
  try {
    fits = satisfiesRange(CONTRACT_VERSION, range);
  } catch (error) {
    if (!(error instanceof SemverRangeError)) throw error;
    throw new ConfigError(path, `${named} declares contractVersion "${range}": ${error.message}`);
  }
  if (!fits) {
    throw new ConfigError(
      path,
      `${named} targets plugin contract ${range}, but this gateway implements contract ${CONTRACT_VERSION}`,
    );
  }
}

/**
 * Load every configured channel: resolve its plugin (built-in id or module), parse its config
 * strictly and create its provider. Bad wiring fails here, before the server listens.
 */
export async function createChannelRegistry(
  entries: readonly ChannelConfigEntry[],
  builtins: readonly ChannelPlugin<unknown>[],
  contextFor: (channelId: string) => PluginContext,
): Promise<ChannelRegistry> {
  const byId = new Map<string, ChannelPlugin<unknown>>();
  for (const plugin of builtins) {
    if (byId.has(plugin.id)) throw new ConfigError('plugins', `duplicate built-in plugin id "${plugin.id}"`);
    byId.set(plugin.id, plugin);
  }
  const channels = new Map<string, LoadedChannel>();
  for (const [index, entry] of entries.entries()) {
    const path = `channels[${index}]`;
    const plugin = byId.get(entry.plugin) ?? (await importPlugin(entry.plugin, `${path}.plugin`));
    assertContractVersion(plugin, `${path}.plugin`);
    const config = plugin.parseConfig(entry.config, `${path}.config`);
    const context = contextFor(entry.id);
    const provider = plugin.createProvider(config, context);
    const loaded = {
      plugin: plugin.id,
      plugin_version: plugin.version ?? 'unknown',
      contract_version: CONTRACT_VERSION,
    };
    if (plugin.contractVersion === undefined) {
      context.logger.warn(loaded, 'channel plugin declares no contractVersion; loaded unchecked');
    } else {
      context.logger.info({ ...loaded, plugin_contract: plugin.contractVersion }, 'channel loaded');
    }
    channels.set(entry.id, { id: entry.id, pluginId: plugin.id, settings: plugin.settings, provider });
  }
  return {
    get: (channelId) => channels.get(channelId),
    list: () => [...channels.values()],
    async close() {
      await Promise.allSettled([...channels.values()].map(async (channel) => channel.provider.close?.()));
    },
  };
}
