import type { CallbackRequest } from '../contract/index.js';
import type { LoadedChannel } from '../channels/channel-registry.js';
import { buildSendRequest } from '../channels/send-request.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChannelSettingsSource } from '../user-config/channel-settings-source.js';
import type { MessageLifecycle } from './message-lifecycle.js';

/** The HTTP answer to a callback. */
export interface CallbackAnswer {
  readonly status: number;
  readonly body: unknown;
  /** What happened, for the metric: acknowledged, already_acknowledged, challenge, replayed, a rejection reason. */
  readonly result: string;
}

/** How long a callback event id is remembered: longer than any timestamp window a provider accepts. */
export const CALLBACK_ID_MEMORY_MS = 3_600_000;

/**
 * Handles provider callbacks for one channel: the provider verifies (challenge, decryption,
 * signature, timestamp, token), this dedupes by the callback's event id and acknowledges. The
 * answer must leave within Feishu's 3 s, so the card PATCH runs in the background.
 */
export class CallbackService {
  /** event id → when it was first seen (ms); replays inside the provider's window are refused. */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly deps: {
      readonly lifecycle: MessageLifecycle;
      readonly settings: ChannelSettingsSource;
      readonly clock: Clock;
      readonly logger: Logger;
    },
  ) {}

  async handle(channel: LoadedChannel, request: CallbackRequest): Promise<CallbackAnswer> {
    const { provider } = channel;
    if (!provider.verifyCallback)
      return { status: 404, body: { error: 'no callbacks' }, result: 'unsupported' };
    const verdict = provider.verifyCallback(request);
    if (verdict.kind === 'reply') return { status: 200, body: verdict.body, result: 'challenge' };
    if (verdict.kind === 'rejected') {
      this.deps.logger.warn(
        { channel: channel.id, reason: verdict.reason, detail: verdict.detail },
        'callback rejected',
      );
      const status = verdict.reason === 'malformed' || verdict.reason === 'unsupported' ? 400 : 401;
      return { status, body: { error: verdict.reason }, result: verdict.reason };
    }
    if (this.#isReplay(verdict.eventId)) {
      this.deps.logger.warn({ channel: channel.id, event_id: verdict.eventId }, 'callback replayed');
      return { status: 409, body: { error: 'replayed' }, result: 'replayed' };
    }
    const acknowledged = await this.deps.lifecycle
      .acknowledge(verdict.notificationId, verdict.operator)
      .catch(() => undefined);
    if (!acknowledged || acknowledged.record.channel !== channel.id) {
      return { status: 404, body: { error: 'notification_not_found' }, result: 'not_found' };
    }
    const { record, changed } = acknowledged;
    const setting = await this.deps.settings.get(record.userId, record.channel).catch(() => null);
    const state = {
      acknowledgedBy: record.acknowledgedBy ?? verdict.operator,
      acknowledgedAt: record.acknowledgedAt ?? this.deps.clock.now(),
    };
    const update = {
      ...buildSendRequest(record, setting?.settings ?? {}, setting?.locale),
      providerMessageId: record.providerMessageId,
      state,
      signal: new AbortController().signal,
    };
    const body =
      provider.answerCallback?.({ update, acknowledged: changed, locale: update.locale ?? 'zh_cn' }) ?? {};
    return { status: 200, body, result: changed ? 'acknowledged' : 'already_acknowledged' };
  }

  #isReplay(eventId: string): boolean {
    const now = this.deps.clock.now().getTime();
    if (this.#seen.size > 10_000) {
      for (const [id, at] of this.#seen) if (now - at > CALLBACK_ID_MEMORY_MS) this.#seen.delete(id);
    }
    const seenAt = this.#seen.get(eventId);
    if (seenAt !== undefined && now - seenAt <= CALLBACK_ID_MEMORY_MS) return true;
    this.#seen.set(eventId, now);
    return false;
  }
}
