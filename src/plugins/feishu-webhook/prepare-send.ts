import {
  ProviderErrorCode,
  type PluginContext,
  type SendRequest,
  type SendResult,
} from '../../core/contract/index.js';
import { permanent } from '../http-kit/verdict.js';
import { REDACTED } from '../http-kit/redact.js';
import { failureResult } from '../http-kit/send-result.js';
import type { WebhookConfig } from './config.js';
import {
  buildWebhookBody,
  MAX_WEBHOOK_BODY_BYTES,
  withSignature,
  type BuiltBody,
} from './request-builder.js';
import { signWebhook, webhookTimestamp } from './signing.js';
import { checkWebhookUrl, HOOK_PATH_PREFIX } from './url-rules.js';

/** A send ready for the wire, its redacted audit copy, and what must never leave the plugin. */
export interface PreparedSend {
  readonly url: URL;
  readonly body: string;
  readonly audit: Readonly<Record<string, unknown>>;
  readonly secrets: readonly string[];
  /** Set when the card could not be rendered and text went instead. */
  readonly fallbackReason?: string | undefined;
}

/**
 * Validates the URL, builds, signs and size-checks the body. A SendResult means "stop here":
 * nothing was sent and no connection was opened.
 */
export function prepareSend(
  request: SendRequest,
  config: WebhookConfig,
  context: PluginContext,
  build: (request: SendRequest) => BuiltBody = (built) => buildWebhookBody(built, config),
): PreparedSend | SendResult {
  const rawUrl = request.settings['webhook_url'] ?? '';
  const secret = request.settings['secret'] ?? '';
  if (rawUrl === '') {
    return { outcome: 'skipped', errorCode: 'webhook_not_configured', errorMessage: 'no webhook_url set' };
  }
  const checked = checkWebhookUrl(rawUrl, config);
  if ('problem' in checked) {
    const classification = permanent(ProviderErrorCode.invalidUrl);
    return failureResult({ classification, message: `webhook_url ${checked.problem}` }, [rawUrl, secret]);
  }
  const { body: unsigned, fallbackReason } = build(request);
  // Signed at send time, never at enqueue: Feishu rejects timestamps older than 1 h (19021).
  const timestamp = webhookTimestamp(context.now());
  const sign = secret !== '' ? signWebhook(timestamp, secret) : '';
  const body = JSON.stringify(sign !== '' ? withSignature(unsigned, timestamp, sign) : unsigned);
  const secrets = [rawUrl, checked.url.href, checked.token, secret, sign];
  const size = Buffer.byteLength(body, 'utf8');
  if (size > MAX_WEBHOOK_BODY_BYTES) {
    const classification = permanent(ProviderErrorCode.payloadInvalid);
    const message = `webhook body is ${size} bytes; Feishu accepts at most ${MAX_WEBHOOK_BODY_BYTES}`;
    const requestPayload = { msg_type: unsigned.msg_type, size };
    return failureResult({ classification, message, requestPayload }, secrets);
  }
  const audit = {
    host: checked.url.host,
    path: `${HOOK_PATH_PREFIX}${REDACTED}`,
    body: sign !== '' ? withSignature(unsigned, timestamp, REDACTED) : unsigned,
  };
  return { url: checked.url, body, audit, secrets, fallbackReason };
}
