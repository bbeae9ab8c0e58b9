import { isIpLiteral } from '../http-kit/private-address.js';
import type { WebhookConfig } from './config.js';

/** The path prefix of a custom-bot webhook; the hook token is the one segment after it. */
export const HOOK_PATH_PREFIX = '/open-apis/bot/v2/hook/';

/** A webhook URL that passed the rules, with its token split out for redaction. */
export interface CheckedWebhookUrl {
  readonly url: URL;
  readonly token: string;
}

type UrlRules = Pick<WebhookConfig, 'allowHttp' | 'allowedHosts' | 'allowedPorts'>;

/**
 * Checks a webhook URL against the SSRF and shape rules. Returns the parsed URL or a problem
 * description that never repeats the URL (it is the credential).
 */
export function checkWebhookUrl(raw: string, rules: UrlRules): CheckedWebhookUrl | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:')) {
    return { problem: rules.allowHttp ? 'must be an http(s) URL' : 'must use https' };
  }
  if (url.username !== '' || url.password !== '') return { problem: 'must not contain user info' };
  if (isIpLiteral(url.hostname)) return { problem: 'must use a host name, not an IP address' };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!rules.allowedHosts.includes(host)) {
    return { problem: `host ${host} is not allowed (allowed: ${rules.allowedHosts.join(', ')})` };
  }
  // URL drops a port equal to the scheme's default, so '' means 443 (https) or 80 (http).
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (!rules.allowedPorts.includes(port)) {
    return { problem: `port ${port} is not allowed (allowed: ${rules.allowedPorts.join(', ')})` };
  }
  if (url.search !== '' || url.hash !== '') return { problem: 'must not have a query or fragment' };
  if (!url.pathname.startsWith(HOOK_PATH_PREFIX)) {
    return { problem: `path must start with ${HOOK_PATH_PREFIX}` };
  }
  // Feishu does not define the token format (UUID-shaped in practice): require one segment only.
  const token = url.pathname.slice(HOOK_PATH_PREFIX.length);
  if (token.length === 0 || token.includes('/')) {
    return { problem: `path must be ${HOOK_PATH_PREFIX}<token> with one non-empty token segment` };
  }
  return { url, token };
}
