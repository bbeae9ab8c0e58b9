import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describePluginContract } from 'notify-gateway/testing';
import { examplePlugin } from '../src/index.js';

/** A stand-in for the real endpoint: accepts a known token and counts what it received. */
async function startEndpoint(token: string) {
  const received: unknown[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${token}`) {
        response.writeHead(401).end();
        return;
      }
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: `msg-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describePluginContract('example-http', async () => {
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const endpoint = await startEndpoint(token);
  return {
    plugin: examplePlugin,
    config: { url: endpoint.url, allowPrivateNetwork: true },
    settingsValid: () => ({ recipient: 'ada@example.com', api_token: token }),
    settingsInvalid: { recipient: 'not a recipient!', api_token: 'wrong' },
    secrets: () => [token],
    delivered: () => endpoint.received.length,
    teardown: () => endpoint.close(),
  };
});
