import type { ChannelRegistry } from '../../core/channels/channel-registry.js';
import type { CallbackService } from '../../core/lifecycle/callback-service.js';
import type { HttpRequest, HttpRouteHandler } from '../../rpc-kit/transport/request-handler.js';

/** Callback bodies are a few KB; anything larger is refused unread. */
const MAX_CALLBACK_BYTES = 64 * 1024;

/**
 * `POST /feishu/callback/{channel}` for every channel whose provider takes callbacks (the
 * `feishu-openid` plugin with a `verificationToken`), with each answer counted by result.
 */
export function callbackRoutes(
  channels: ChannelRegistry,
  callbacks: CallbackService,
  count: (channel: string, result: string) => void,
): Record<string, HttpRouteHandler> {
  const routes: Record<string, HttpRouteHandler> = {};
  for (const channel of channels.list()) {
    if (!channel.provider.verifyCallback) continue;
    routes[`/feishu/callback/${channel.id}`] = async (req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' });
        res.end();
        return;
      }
      const body = await readBody(req);
      const answer =
        body === undefined
          ? { status: 413, body: { error: 'too_large' }, result: 'malformed' }
          : await callbacks.handle(channel, { headers: lowerCaseHeaders(req), body });
      count(channel.id, answer.result);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
    };
  }
  return routes;
}

function lowerCaseHeaders(req: HttpRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(req: HttpRequest): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CALLBACK_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
