import { mockPlugin } from '../../src/plugins/mock/index.js';
import { startCountingSink } from '../helpers/counting-sink.js';
import { describePluginContract } from './plugin-contract-suite.js';

// The mock's "upstream" is its sink: every successful send is POSTed there, so the suite can count
// deliveries without reaching into the provider.
describePluginContract('mock', async () => {
  const sink = await startCountingSink();
  return {
    plugin: mockPlugin,
    config: { sinkUrl: sink.url },
    settingsValid: () => ({}),
    secrets: () => [],
    delivered: () => sink.received.length,
    teardown: () => sink.close(),
  };
});
