import { EventStatus, Severity } from '../../../src/gen/notify/v1/event_service_pb.js';
import { api } from '../api.js';
import { ErrorBox, Section } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n.js';
import { BASE } from '../router.js';

/** `/console/events/<event_id>`: an event and its decision trace (rule, recipient, channel, outcome, reason). */
export function EventPage({ eventId }: { eventId: string }) {
  const { t, language } = useI18n();
  const trace = useRpc(() => api.events.getEvent({ eventId }), [eventId]);
  const event = trace.data?.event;
  return (
    <>
      <h1>{t('eventTitle', { id: eventId })}</h1>
      <ErrorBox error={trace.error} />
      {event ? (
        <>
          <Section title={t('event')}>
            <dl class="fields" data-testid="event-fields">
              <dt>{t('eventType')}</dt>
              <dd>{event.type}</dd>
              <dt>{t('severity')}</dt>
              <dd>
                <span class={`badge severity-${Severity[event.severity].toLowerCase()}`}>
                  {Severity[event.severity]}
                </span>{' '}
                <span class="badge">{EventStatus[event.status]}</span>
              </dd>
              <dt>{t('summary')}</dt>
              <dd class="message">{event.summary || '—'}</dd>
              <dt>{t('fingerprint')}</dt>
              <dd>
                <code>{event.fingerprint}</code>
              </dd>
              <dt>{t('occurredAt')}</dt>
              <dd>{formatTime(event.occurredAt, language)}</dd>
              <dt>{t('attributes')}</dt>
              <dd>
                {Object.entries(event.attributes).map(([key, value]) => (
                  <span class="chip">
                    {key}={value}
                  </span>
                ))}
              </dd>
              <dt>{t('traceId')}</dt>
              <dd>{event.traceId || '—'}</dd>
            </dl>
          </Section>
          <Section title={t('decisions')}>
            <div class="table-scroll">
              <table data-testid="decisions">
                <thead>
                  <tr>
                    <th>{t('rule')}</th>
                    <th>{t('userId')}</th>
                    <th>{t('channel')}</th>
                    <th>{t('outcome')}</th>
                    <th>{t('reason')}</th>
                    <th>{t('notification')}</th>
                  </tr>
                </thead>
                <tbody>
                  {trace.data?.decisions.map((decision) => (
                    <tr>
                      <td>{decision.rule}</td>
                      <td>
                        {decision.userId ? (
                          <a href={`${BASE}users/${encodeURIComponent(decision.userId)}`}>
                            {decision.userId}
                          </a>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td>{decision.channel || '—'}</td>
                      <td>
                        <span class={`badge outcome-${decision.outcome}`}>{decision.outcome}</span>
                      </td>
                      <td>{decision.reason || '—'}</td>
                      <td>
                        {decision.notificationId ? (
                          <a href={`${BASE}notifications/${encodeURIComponent(decision.notificationId)}`}>
                            <code>{decision.notificationId.slice(0, 8)}</code>
                          </a>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
        </>
      ) : null}
    </>
  );
}
