import { api } from '../api.js';
import { ErrorBox, Section } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n.js';
import { BASE } from '../router.js';

/** `/console/dead`: DEAD notifications grouped by error code. */
export function DeadPage() {
  const { t, language } = useI18n();
  const overview = useRpc(() => api.operations.getOverview({}), []);
  const groups = overview.data?.deadByError ?? [];
  return (
    <>
      <h1>{t('deadTitle')}</h1>
      <ErrorBox error={overview.error} />
      {overview.data && groups.length === 0 ? <p>{t('none')}</p> : null}
      {groups.map((group) => (
        <Section title={`${group.errorCode || '—'} · ${group.channel}`}>
          <p data-testid={`dead-group-${group.errorCode}`}>
            {t('count')}: <strong>{String(group.count)}</strong> · {t('lastSeen')}:{' '}
            {formatTime(group.lastSeenAt, language)} ·{' '}
            <a href={`${BASE}notifications?status=dead&channel=${encodeURIComponent(group.channel)}`}>
              {t('navNotifications')}
            </a>
          </p>
        </Section>
      ))}
    </>
  );
}
