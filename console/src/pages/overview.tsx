import type { NotificationStatus } from '../../../src/gen/notify/v1/notification_pb.js';
import { api } from '../api.js';
import { ErrorBox, Section, StatusBadge } from '../components/common.js';
import { MinuteChart } from '../components/minute-chart.js';
import { useRpc } from '../components/use-rpc.js';
import { formatTime, statusParam } from '../format.js';
import { useI18n } from '../i18n.js';
import { BASE } from '../router.js';

const POLL_MS = 5000;

/** `/console/`: where records are, what happened in the last hour, what is failing. */
export function OverviewPage() {
  const { t, language } = useI18n();
  const overview = useRpc(() => api.operations.getOverview({}), [], POLL_MS);
  const data = overview.data;
  const channels = [...new Set(data?.statusCounts.map((entry) => entry.channel))].sort();
  const statuses = [...new Set(data?.statusCounts.map((entry) => entry.status))].sort((a, b) => a - b);
  const countOf = (status: NotificationStatus, channel: string) =>
    data?.statusCounts.find((entry) => entry.status === status && entry.channel === channel)?.count ?? 0n;
  return (
    <>
      <h1>
        {t('navOverview')} <small class="muted">{t('liveEvery')}</small>
      </h1>
      <ErrorBox error={overview.error} />
      {!data ? (
        <p>{t('loading')}</p>
      ) : (
        <div class="grid">
          <Section title={t('statusByChannel')}>
            {statuses.length === 0 ? (
              <p>{t('none')}</p>
            ) : (
              <div class="table-scroll">
                <table data-testid="status-counts">
                  <thead>
                    <tr>
                      <th>{t('status')}</th>
                      {channels.map((channel) => (
                        <th>{channel}</th>
                      ))}
                      <th>{t('total')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {statuses.map((status) => (
                      <tr>
                        <td>
                          <a href={`${BASE}notifications?status=${statusParam(status)}`}>
                            <StatusBadge status={status} />
                          </a>
                        </td>
                        {channels.map((channel) => (
                          <td class="num">{String(countOf(status, channel))}</td>
                        ))}
                        <td class="num">
                          {String(channels.reduce((sum, channel) => sum + countOf(status, channel), 0n))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title={t('lastHour')}>
            <MinuteChart minutes={data.minutes} />
          </Section>
          <Section title={t('queues')}>
            {data.queues.length === 0 ? (
              <p class="error">{t('brokerUnavailable')}</p>
            ) : (
              <table data-testid="queues">
                <thead>
                  <tr>
                    <th>{t('queue')}</th>
                    <th>{t('messages')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queues.map((queue) => (
                    <tr>
                      <td>{queue.queue}</td>
                      <td class="num">{String(queue.messages)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p>
              {t('deadLetters')}:{' '}
              <strong data-testid="dead-letter-count">
                {data.deadLetterCount < 0n ? '—' : String(data.deadLetterCount)}
              </strong>
            </p>
          </Section>
          <Section title={t('recentErrors')}>
            {data.recentErrors.length === 0 ? (
              <p>{t('none')}</p>
            ) : (
              <table data-testid="recent-errors">
                <thead>
                  <tr>
                    <th>{t('errorCode')}</th>
                    <th>{t('channel')}</th>
                    <th>{t('count')}</th>
                    <th>{t('lastSeen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.recentErrors.map((entry) => (
                    <tr>
                      <td>
                        <code>{entry.errorCode || '—'}</code>
                      </td>
                      <td>{entry.channel}</td>
                      <td class="num">{String(entry.count)}</td>
                      <td>{formatTime(entry.lastSeenAt, language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </div>
      )}
    </>
  );
}
