import {
  ProviderErrorCode,
  definePlugin,
  parseStrictObject,
  readBoolean,
  readInteger,
  readString,
  ConfigError,
  SettingsError,
  type ChannelProvider,
  type PluginContext,
  type SendRequest,
  type SendResult,
  type SettingSpec,
} from 'notify-gateway/contract';
import {
  createSafeAgent,
  failureResult,
  isRecord,
  judgeTransportFailure,
  permanent,
  postJson,
  retryHintFor,
  successResult,
  temporary,
  type Classification,
  type HttpResponse,
} from 'notify-gateway/http-kit';

/** This channel's config (`channels[].config` in the gateway's YAML). */
export interface ExampleConfig {
  /** The endpoint every notification is POSTed to. */
  readonly url: URL;
  /** Budget of one call, from connect to the last byte of the answer (default 5000). */
  readonly timeoutMs: number;
  /** Allow endpoints on private addresses (default false: refused at connect, against SSRF). */
  readonly allowPrivateNetwork: boolean;
}

const CONFIG_KEYS = ['url', 'timeoutMs', 'allowPrivateNetwork'] as const;

/** Parses the channel config strictly: an unknown key or a bad value names its full path. */
export function parseExampleConfig(raw: unknown, path: string): ExampleConfig {
  const record = parseStrictObject(raw, path, CONFIG_KEYS);
  const text = readString(record, 'url', path);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${path}.url`, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${path}.url`, 'must be an absolute http(s) URL');
  }
  return {
    url,
    timeoutMs: readInteger(record, 'timeoutMs', path, { fallback: 5000, min: 100, max: 60_000 }),
    allowPrivateNetwork: readBoolean(record, 'allowPrivateNetwork', path, false),
  };
}

/** Per-user settings: who receives the message, and the user's token for the endpoint. */
const SETTINGS: readonly SettingSpec[] = [
  { key: 'recipient', required: true, secret: false, description: 'Recipient id at the endpoint' },
  { key: 'api_token', required: true, secret: true, description: 'Bearer token for the endpoint' },
];

/** What the endpoint's status codes mean; the gateway decides retries and timing from these. */
function classifyStatus(status: number): Classification | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return temporary(ProviderErrorCode.rateLimited);
  if (status >= 500) return temporary(ProviderErrorCode.serverError);
  if (status === 401) return permanent(ProviderErrorCode.authFailed);
  if (status === 403) return permanent(ProviderErrorCode.permissionDenied);
  if (status === 404) return permanent(ProviderErrorCode.recipientUnreachable);
  return permanent(ProviderErrorCode.payloadInvalid);
}

function createProvider(config: ExampleConfig, context: PluginContext): ChannelProvider {
  // One agent per channel, shared by every concurrent send; no per-request state on the provider.
  const agent = createSafeAgent({
    connectTimeoutMs: Math.min(config.timeoutMs, 3000),
    timeoutMs: config.timeoutMs,
    allowPrivateNetwork: config.allowPrivateNetwork,
  });
  let closed = false;

  async function send(request: SendRequest): Promise<SendResult> {
    const secrets = [request.settings.api_token ?? ''].filter((secret) => secret !== '');
    const recipient = request.settings.recipient;
    const token = request.settings.api_token;
    if (!recipient || !token) {
      return failureResult(
        {
          classification: permanent(ProviderErrorCode.recipientMissing),
          message: 'recipient or api_token missing',
        },
        secrets,
      );
    }
    if (closed) {
      return failureResult(
        { classification: temporary(ProviderErrorCode.networkError), message: 'provider closed' },
        secrets,
      );
    }
    const payload = {
      recipient,
      text: request.text,
      idempotency_key: request.idempotencyKey,
      ...(request.target ? { link: request.target.url } : {}),
    };
    const answer = await postJson(agent, config.url, JSON.stringify(payload), {
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': request.idempotencyKey },
      signal: request.signal,
      deadlineMs: config.timeoutMs + 1000,
    });
    if (answer.kind === 'failure') {
      const verdict = judgeTransportFailure(answer);
      return failureResult(
        {
          classification: verdict.classification,
          message: verdict.message,
          outcomeUnknown: verdict.outcomeUnknown,
          requestPayload: payload,
        },
        secrets,
      );
    }
    return judgeAnswer(answer, payload, secrets);
  }

  function judgeAnswer(answer: HttpResponse, payload: unknown, secrets: readonly string[]): SendResult {
    const response = { status: answer.status, body: answer.json ?? answer.text.slice(0, 512) };
    const classification = classifyStatus(answer.status);
    if (!classification) {
      const id = isRecord(answer.json) && typeof answer.json.id === 'string' ? answer.json.id : undefined;
      return successResult(id, payload, response, secrets);
    }
    context.logger.debug({ status: answer.status }, 'endpoint refused a notification');
    return failureResult(
      {
        classification,
        message: `endpoint answered HTTP ${answer.status}`,
        retryAfterMs: retryHintFor(classification.errorCode, answer.headers, Date.now()),
        requestPayload: payload,
        responsePayload: response,
      },
      secrets,
    );
  }

  return {
    // The endpoint is asked to dedupe on the Idempotency-Key header; say false if yours does not.
    idempotent: true,
    send,
    validateSettings(settings) {
      if (settings.recipient !== undefined && !/^[A-Za-z0-9._@-]{1,128}$/.test(settings.recipient)) {
        throw new SettingsError('recipient', 'must be 1-128 letters, digits, ".", "_", "@" or "-"');
      }
    },
    async close() {
      closed = true;
      await agent.close();
    },
  };
}

/** The `example-http` channel plugin. */
export const examplePlugin = definePlugin<ExampleConfig>({
  id: 'example-http',
  version: '0.1.0',
  contractVersion: '^1.0.0',
  settings: SETTINGS,
  parseConfig: parseExampleConfig,
  createProvider,
});

export default examplePlugin;
