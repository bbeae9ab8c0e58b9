import { api } from '../api.js';
import { ErrorBox } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { useI18n } from '../i18n.js';
import { BASE } from '../router.js';

/** `/console/channels`: the configured channels and the settings each plugin takes. */
export function ChannelsPage() {
  const { t } = useI18n();
  const channels = useRpc(() => api.config.listChannels({}), []);
  return (
    <>
      <h1>{t('channelsTitle')}</h1>
      <ErrorBox error={channels.error} />
      {channels.data ? (
        <table data-testid="channels">
          <thead>
            <tr>
              <th>{t('channel')}</th>
              <th>{t('plugin')}</th>
              <th>{t('settings')}</th>
            </tr>
          </thead>
          <tbody>
            {channels.data.channels.map((channel) => (
              <tr>
                <td>
                  <a href={`${BASE}notifications?channel=${encodeURIComponent(channel.id)}`}>{channel.id}</a>
                </td>
                <td>{channel.plugin}</td>
                <td>
                  {channel.settings.map((setting) => (
                    <span class="chip" title={setting.description}>
                      {setting.key}
                      {setting.required ? '*' : ''}
                      {setting.secret ? ' 🔒' : ''}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
