import { request, type Agent } from 'undici';
import type { CallbackConfig } from '../core/config/gateway-config.js';
import { ConfigError } from '../core/contract/index.js';
import type { CallbackSender } from '../core/callbacks/callback-dispatcher.js';
import { createSafeAgent } from '../plugins/http-kit/http-agent.js';
import { isIpLiteral, isPrivateAddress } from '../plugins/http-kit/private-address.js';

/**
 * Checks each callback URL against the webhook plugin's SSRF rules at boot: https unless
 * `allowHttp`, no credentials, and no private IP literal unless `allowPrivateNetwork` (host names
 * are checked again at connect time by the agent). Throws ConfigError naming the entry.
 */
export function checkCallbackUrls(callbacks: readonly CallbackConfig[]): void {
  callbacks.forEach((callback, i) => {
    const url = new URL(callback.url);
    const path = `callbacks[${i}].url`;
    if (url.protocol !== 'https:' && !(callback.allowHttp && url.protocol === 'http:')) {
      throw new ConfigError(path, 'must use https (or set allowHttp: true)');
    }
    if (url.username !== '' || url.password !== '') throw new ConfigError(path, 'must not contain user info');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (
      !callback.allowPrivateNetwork &&
      (host === 'localhost' || (isIpLiteral(host) && isPrivateAddress(host)))
    ) {
      throw new ConfigError(path, 'points at a private address (or set allowPrivateNetwork: true)');
    }
  });
}

/**
 * The status callbacks' HTTP side: one agent per callback on the webhook plugin's safe lookup
 * (private addresses refused at connect time unless `allowPrivateNetwork`), explicit timeouts, no
 * redirects followed. Returns the sender and a close function for shutdown.
 */
export function createCallbackSender(
  callbacks: readonly CallbackConfig[],
  timeoutMs: number,
): { send: CallbackSender; close: () => Promise<void> } {
  checkCallbackUrls(callbacks);
  const agents = new Map<string, Agent>(
    callbacks.map((callback) => [
      callback.id,
      createSafeAgent({
        connectTimeoutMs: Math.min(timeoutMs, 5000),
        timeoutMs,
        allowPrivateNetwork: callback.allowPrivateNetwork,
      }),
    ]),
  );
  const send: CallbackSender = async (callback, body, headers) => {
    const agent = agents.get(callback.id);
    if (!agent) return { error: 'callback is no longer configured' };
    try {
      const response = await request(callback.url, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'notify-gateway', ...headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      return { status: response.statusCode };
    } catch (error) {
      return {
        error: (error as Error).name === 'PrivateAddressError' ? 'private address refused' : errorText(error),
      };
    }
  };
  return {
    send,
    close: async () => {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}

/** A transport error's code or message; never the URL (it may carry a token). */
function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = (error as { code?: unknown }).code ?? cause?.code;
  return typeof code === 'string' ? code : (error as Error).name;
}
