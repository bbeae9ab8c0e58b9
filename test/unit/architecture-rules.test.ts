import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The dependency rules of eslint.config.js, run as `npm run check` runs them, on fixture sources
 * placed at virtual paths. Type-aware rules are switched off only because a virtual file is in no
 * TypeScript project; the config file itself is the real one.
 */
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot, overrideConfig: tseslint.configs.disableTypeChecked });
});

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  expect(result?.messages.filter((message) => message.fatal)).toEqual([]);
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('dependency rules (eslint no-restricted-imports)', () => {
  it('rejects a domain file importing an adapter, generated code, a plugin or a store library', async () => {
    const messages = await restrictedImports(
      'src/core/notification/fixture.ts',
      [
        "import { openDatabase } from '../../adapters/sql-store/open-store.js';",
        "import { NotificationService } from '../../gen/notify/v1/notification_service_pb.js';",
        "import { mockPlugin } from '../../plugins/mock/index.js';",
        "import { DataSource } from 'typeorm';",
        "import { connect } from 'amqplib';",
        'export const all = [openDatabase, NotificationService, mockPlugin, DataSource, connect];',
      ].join('\n'),
    );
    expect(messages).toHaveLength(5);
    expect(messages[0]).toContain('src/core is the domain');
  });

  it('lets a domain file import other domain folders and the contract', async () => {
    const messages = await restrictedImports(
      'src/core/notification/fixture.ts',
      [
        "import { ConfigError } from '../contract/index.js';",
        "import { systemClock } from '../shared/clock.js';",
        'export const all = [ConfigError, systemClock];',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  });

  it('rejects a plugin importing core internals, an adapter or another plugin', async () => {
    const messages = await restrictedImports(
      'src/plugins/feishu-webhook/fixture.ts',
      [
        "import { callProvider } from '../../core/channels/call-provider.js';",
        "import { openBus } from '../../adapters/open-bus.js';",
        "import { mockPlugin } from '../mock/index.js';",
        'export const all = [callProvider, openBus, mockPlugin];',
      ].join('\n'),
    );
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain('a plugin imports only the contract');
  });

  it('lets a plugin import the contract, the HTTP kit and (for Feishu) feishu-common', async () => {
    const feishu = await restrictedImports(
      'src/plugins/feishu-webhook/fixture.ts',
      [
        "import { definePlugin } from '../../core/contract/index.js';",
        "import { redact } from '../http-kit/redact.js';",
        "import { classify } from '../feishu-common/classification.js';",
        "import { own } from './own.js';",
        'export const all = [definePlugin, redact, classify, own];',
      ].join('\n'),
    );
    expect(feishu).toEqual([]);
    const other = await restrictedImports(
      'src/plugins/dingtalk/fixture.ts',
      "import { classify } from '../feishu-common/classification.js';\nexport const all = [classify];",
    );
    expect(other).toHaveLength(1);
  });

  it('keeps the contract free of the rest of the project', async () => {
    const messages = await restrictedImports(
      'src/core/contract/fixture.ts',
      [
        "import { systemClock } from '../shared/clock.js';",
        "import { ChannelError } from './errors.js';",
        'export const all = [systemClock, ChannelError];',
      ].join('\n'),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('src/core/contract is the plugin contract');
  });

  it('keeps vitest and test code out of the runtime', async () => {
    const messages = await restrictedImports(
      'src/composition/fixture.ts',
      [
        "import { describe } from 'vitest';",
        "import { startFeishuEmulator } from '../../test/helpers/feishu-emulator/index.js';",
        'export const all = [describe, startFeishuEmulator];',
      ].join('\n'),
    );
    expect(messages).toHaveLength(2);
  });

  it('keeps the RPC kit free of notification concepts', async () => {
    const messages = await restrictedImports(
      'src/rpc-kit/transport/fixture.ts',
      [
        "import { TriggerService } from '../../core/delivery/trigger-service.js';",
        "import { toConnectError } from '../../adapters/rpc/error-mapping.js';",
        "import { HealthCheckResponse } from '../../gen/grpc/health/v1/health_pb.js';",
        'export const all = [TriggerService, toConnectError, HealthCheckResponse];',
      ].join('\n'),
    );
    expect(messages).toHaveLength(2);
  });
});
