import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuOpenidPlugin } from '../../../../src/plugins/feishu-openid/index.js';
import { ContactResolver } from '../../../../src/plugins/feishu-openid/contact-resolver.js';
import { OpenidClient } from '../../../../src/plugins/feishu-openid/openid-client.js';
import { startFeishuEmulator, type FeishuEmulator } from '../../../helpers/feishu-emulator/index.js';

let emulator: FeishuEmulator;
let client: OpenidClient;

beforeAll(async () => {
  emulator = await startFeishuEmulator();
  emulator.addApp('cli_contacts', 'secret');
  for (let i = 0; i < 60; i += 1)
    emulator.addUser('cli_contacts', `ou_user${i}`, { email: `u${i}@example.com` });
  emulator.addUser('cli_contacts', 'ou_mobile', { mobile: '+8613800000000' });
  const config = feishuOpenidPlugin.parseConfig(
    { appId: 'cli_contacts', appSecret: 'secret', baseUrl: emulator.baseUrl },
    'c',
  );
  client = new OpenidClient(config, () => Date.now());
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

describe('contact batch_get_id resolver', () => {
  it('batches concurrent lookups at most 50 emails per call, then answers from the cache', async () => {
    let now = 1_000;
    const resolver = new ContactResolver(client, 60_000, () => now, []);
    const emails = Array.from({ length: 60 }, (_, i) => `u${i}@example.com`);
    const results = await Promise.all([
      ...emails.map((email) => resolver.resolve('email', email)),
      resolver.resolve('mobile', '+8613800000000'),
      resolver.resolve('email', 'nobody@example.com'),
    ]);
    expect(results.slice(0, 60)).toEqual(emails.map((_, i) => ({ kind: 'found', openId: `ou_user${i}` })));
    expect(results[60]).toEqual({ kind: 'found', openId: 'ou_mobile' });
    expect(results[61]).toEqual({ kind: 'not_found' });
    const calls = emulator
      .requestsTo('contact')
      .map((r) => r.json as { emails: string[]; mobiles: string[] });
    expect(calls.map((c) => c.emails.length).sort((a, b) => b - a)).toEqual([50, 11]);
    expect(calls.flatMap((c) => c.mobiles)).toEqual(['+8613800000000']);

    expect(await resolver.resolve('email', 'u7@example.com')).toEqual({ kind: 'found', openId: 'ou_user7' });
    expect(emulator.requestsTo('contact')).toHaveLength(2);
    now += 60_001; // past the TTL: looked up again
    expect(await resolver.resolve('email', 'u7@example.com')).toEqual({ kind: 'found', openId: 'ou_user7' });
    expect(emulator.requestsTo('contact')).toHaveLength(3);
  });
});
