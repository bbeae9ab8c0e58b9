import { api } from '../api.js';
import { ConfirmButton, ErrorBox, Section } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { formatTime } from '../format.js';
import { fieldText } from '../forms.js';
import { useI18n } from '../i18n.js';
import { BASE, navigate } from '../router.js';

/** `/console/users/<user_id>`: a user's channel settings (masked by the RPC) and a test send. */
export function UserPage({ userId }: { userId: string }) {
  const { t, language } = useI18n();
  const config = useRpc(() => api.config.getUserConfig({ userId }), [userId]);
  return (
    <>
      <h1>{t('userTitle', { user: userId })}</h1>
      <p>
        <a href={`${BASE}notifications?user_id=${encodeURIComponent(userId)}`}>{t('navNotifications')}</a>
      </p>
      <ErrorBox error={config.error} />
      {config.data && config.data.channels.length === 0 ? <p>{t('noConfig')}</p> : null}
      {config.data?.channels.map((channel) => (
        <Section title={channel.channel}>
          <dl class="fields" data-testid={`user-channel-${channel.channel}`}>
            <dt>{t('enabled')}</dt>
            <dd>{channel.enabled ? t('yes') : t('no')}</dd>
            <dt>{t('status')}</dt>
            <dd>
              {channel.state}
              {channel.invalidReason ? ` (${channel.invalidReason})` : ''}
            </dd>
            <dt>{t('quietHours')}</dt>
            <dd>
              {channel.quietHours
                ? `${channel.quietHours.start}–${channel.quietHours.end} ${channel.timezone}`
                : '—'}
            </dd>
            <dt>{t('settings')}</dt>
            <dd>
              {Object.entries(channel.settings).map(([key, value]) => (
                <div>
                  <code>{key}</code>: <span class="masked">{value}</span>
                </div>
              ))}
            </dd>
            <dt>{t('lastSeen')}</dt>
            <dd>{formatTime(channel.updatedAt, language)}</dd>
          </dl>
          <ConfirmButton
            label={t('testChannel')}
            question={`${t('testChannel')}: ${channel.channel}?`}
            done={t('testSent')}
            action={async () => {
              const answer = await api.config.testChannel({
                userId,
                channel: channel.channel,
                text: 'notify-gateway console test',
              });
              if (answer.outcome !== 'success') throw new Error(`${answer.errorCode} ${answer.errorMessage}`);
            }}
            testId={`test-${channel.channel}`}
          />
        </Section>
      ))}
    </>
  );
}

/** `/console/users`: look a user up by id. */
export function UserLookupPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('navUsers')}</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          const user = fieldText(event.currentTarget, 'user_id');
          if (user) navigate(`users/${encodeURIComponent(user)}`);
        }}
      >
        <label>
          {t('userId')}
          <input name="user_id" autocomplete="off" required />
        </label>
        <button type="submit">{t('openUser')}</button>
      </form>
    </>
  );
}
