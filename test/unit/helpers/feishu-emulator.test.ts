import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeishuEmulator, type FeishuEmulator } from '../../helpers/feishu-emulator/index.js';

let emu: FeishuEmulator;
beforeAll(async () => {
  emu = await startFeishuEmulator();
  emu.addApp('cli_a', 's3cret');
  emu.addUser('cli_a', 'ou_1');
});
afterAll(async () => {
  await emu.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emu.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    logId: response.headers.get('x-tt-logid'),
    json: (await response.json()) as Record<string, unknown>,
  };
}
const tokenFor = (secret = 's3cret') =>
  post('/open-apis/auth/v3/tenant_access_token/internal', { app_id: 'cli_a', app_secret: secret });

describe('feishu emulator (docs/feishu-notes.md §5)', () => {
  it('answers unknown paths with 404 99991201 and always sets X-Tt-Logid', async () => {
    const answer = await post('/open-apis/bot/v2/hook/a/b', {});
    expect(answer).toMatchObject({ status: 404, json: { code: 99991201 } });
    expect(answer.logId).toMatch(/^2026/);
  });

  it('issues the same token while ≥ 30 min remain, then a new overlapping one', async () => {
    emu.clock.set(Date.now());
    const first = await tokenFor();
    expect(first.json).toMatchObject({ code: 0, expire: 7200 });
    emu.clock.advance(5000 * 1000);
    const same = await tokenFor();
    expect(same.json['tenant_access_token']).toBe(first.json['tenant_access_token']);
    expect(same.json['expire']).toBe(2200);
    emu.clock.advance(500 * 1000);
    const fresh = await tokenFor();
    expect(fresh.json['tenant_access_token']).not.toBe(first.json['tenant_access_token']);
    const send = (token: unknown) =>
      post(
        '/open-apis/im/v1/messages?receive_id_type=open_id',
        { receive_id: 'ou_1', msg_type: 'text', content: '{"text":"hi"}' },
        { authorization: `Bearer ${String(token)}` },
      );
    expect((await send(first.json['tenant_access_token'])).json['code']).toBe(0);
    emu.clock.advance(1800 * 1000);
    expect((await send(first.json['tenant_access_token'])).json['code']).toBe(99991663);
    expect((await send(fresh.json['tenant_access_token'])).json['code']).toBe(0);
    emu.clock.unfreeze();
  });

  it('rejects bad credentials with 10003 / 10014', async () => {
    expect((await tokenFor('nope')).json['code']).toBe(10014);
    expect(
      (await post('/open-apis/auth/v3/tenant_access_token/internal', { app_id: 'x', app_secret: 'y' })).json[
        'code'
      ],
    ).toBe(10003);
  });

  it('im/v1: missing auth 99991661, non-string content 230001, unknown open_id 230034', async () => {
    const token = String((await tokenFor()).json['tenant_access_token']);
    const auth = { authorization: `Bearer ${token}` };
    const path = '/open-apis/im/v1/messages?receive_id_type=open_id';
    expect((await post(path, {})).json['code']).toBe(99991661);
    expect(
      (await post(path, { receive_id: 'ou_1', msg_type: 'text', content: { text: 'x' } }, auth)).json['code'],
    ).toBe(230001);
    expect(
      (await post(path, { receive_id: 'ou_zz', msg_type: 'text', content: '{"text":"x"}' }, auth)).json[
        'code'
      ],
    ).toBe(230034);
  });

  it('webhook: 19001 unknown token, 9499 bad JSON, 19002 msg_type, success body', async () => {
    emu.addWebhook('hook-1');
    const hook = '/open-apis/bot/v2/hook/';
    expect((await post(`${hook}missing`, { msg_type: 'text', content: { text: 'x' } })).json['code']).toBe(
      19001,
    );
    expect((await post(`${hook}hook-1`, '{nope')).json['code']).toBe(9499);
    expect((await post(`${hook}hook-1`, { msg_type: 'video', content: {} })).json['code']).toBe(19002);
    expect((await post(`${hook}hook-1`, { msg_type: 'text', content: { text: 'x' } })).json).toEqual({
      StatusCode: 0,
      StatusMessage: 'success',
      code: 0,
      data: {},
      msg: 'success',
    });
  });

  it('consumes scripted faults in order, then behaves normally', async () => {
    emu.addWebhook('hook-2');
    emu.injectFaults([
      { type: 'http', status: 502, body: 'bad gateway', route: 'webhook' },
      { type: 'code', code: 11232, route: 'webhook' },
    ]);
    const send = () =>
      fetch(`${emu.baseUrl}/open-apis/bot/v2/hook/hook-2`, {
        method: 'POST',
        body: JSON.stringify({ msg_type: 'text', content: { text: 'x' } }),
      });
    expect((await send()).status).toBe(502);
    expect(((await (await send()).json()) as { code: number }).code).toBe(11232);
    expect(((await (await send()).json()) as { code: number }).code).toBe(0);
  });
});
