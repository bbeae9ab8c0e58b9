import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import {
  ChannelConfigSchema,
  ChannelInfoSchema,
  ConfigService,
  type ChannelConfig,
} from '../../gen/notify/v1/config_service_pb.js';
import type { ChannelRegistry } from '../../core/channels/channel-registry.js';
import type { MaskedChannelConfig, UserConfigService } from '../../core/user-config/user-config-service.js';
import { mapErrors } from './notification-service-handler.js';

function toProtoConfig(config: MaskedChannelConfig): ChannelConfig {
  return create(ChannelConfigSchema, {
    userId: config.userId,
    channel: config.channel,
    enabled: config.enabled,
    settings: { ...config.settings },
    timezone: config.timezone,
    locale: config.locale,
    quietHours: config.quietHours ?? undefined,
    state: config.state,
    invalidReason: config.invalidReason ?? '',
    updatedAt: timestampFromDate(config.updatedAt),
  });
}

/** notify.v1.ConfigService over the user-config service and the channel registry. */
export function createConfigServiceHandler(
  configs: UserConfigService,
  channels: ChannelRegistry,
): ServiceImpl<typeof ConfigService> {
  return {
    getUserConfig: (request) =>
      mapErrors(async () => ({ channels: (await configs.getUserConfig(request.userId)).map(toProtoConfig) })),
    upsertChannelConfig: (request) =>
      mapErrors(async () => {
        const quiet = request.quietHours;
        const stored = await configs.upsert({
          userId: request.userId,
          channel: request.channel,
          enabled: request.enabled,
          settings: { ...request.settings },
          timezone: request.timezone,
          locale: request.locale,
          quietHours: quiet && (quiet.start || quiet.end) ? { start: quiet.start, end: quiet.end } : null,
        });
        return { config: toProtoConfig(stored) };
      }),
    deleteChannelConfig: (request) =>
      mapErrors(async () => ({ deleted: await configs.delete(request.userId, request.channel) })),
    listChannels: () =>
      mapErrors(() =>
        Promise.resolve({
          channels: channels.list().map((channel) =>
            create(ChannelInfoSchema, {
              id: channel.id,
              plugin: channel.pluginId,
              settings: channel.settings.map((spec) => ({ ...spec })),
            }),
          ),
        }),
      ),
    testChannel: (request) =>
      mapErrors(async () => {
        const { result, durationMs } = await configs.testChannel(
          request.userId,
          request.channel,
          request.text,
        );
        return {
          outcome: result.outcome,
          errorCode: result.errorCode ?? '',
          errorMessage: result.errorMessage ?? '',
          providerMessageId: result.providerMessageId ?? '',
          durationMs,
        };
      }),
  };
}
