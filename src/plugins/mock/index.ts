import { definePlugin } from '../../core/contract/index.js';
import { parseMockConfig, type MockConfig } from './mock-config.js';
import { MockProvider } from './mock-provider.js';

export { MockProvider, type MockDelivery } from './mock-provider.js';

/** The `mock` channel: no settings, scripted answers, records what it was asked to send. */
export const mockPlugin = definePlugin<MockConfig>({
  id: 'mock',
  version: '1.0.0',
  contractVersion: '^1.0.0',
  settings: [],
  parseConfig: parseMockConfig,
  createProvider: (config) => new MockProvider(config),
});

export default mockPlugin;
