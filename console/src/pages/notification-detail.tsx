import { toJson } from '@bufbuild/protobuf';
import { ValueSchema, type Value } from '@bufbuild/protobuf/wkt';
import { NotificationView } from '../../../src/gen/notify/v1/notification_service_pb.js';
import { api } from '../api.js';
import { ConfirmButton, ErrorBox, Section, StatusBadge } from '../components/common.js';
import { useRpc } from '../components/use-rpc.js';
import { formatTime, outcomeName } from '../format.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { BASE } from '../router.js';

/** `/console/notifications/<id>`: one notification, its attempts, and the repairs it allows. */
export function NotificationDetailPage({ id }: { id: string }) {
  const { t, language } = useI18n();
  // FULL: the attempts' stored request and response payloads, redacted by the gateway.
  const detail = useRpc(() => api.notifications.getNotification({ id, view: NotificationView.FULL }), [id]);
  const notification = detail.data?.notification;
  const action = (key: MessageKey, run: () => Promise<unknown>, testId: string) => (
    <ConfirmButton
      label={t(key)}
      question={t('confirmAction', { action: t(key) })}
      done={t('actionDone', { action: t(key) })}
      action={run}
      onDone={() => detail.reload()}
      testId={testId}
    />
  );
  return (
    <>
      <h1>
        {t('notification')} <code>{id}</code>
      </h1>
      <ErrorBox error={detail.error} />
      {!notification ? (
        detail.loading ? (
          <p>{t('loading')}</p>
        ) : null
      ) : (
        <>
          {/* Every action is offered: the gateway decides (the status may have moved since this page
              loaded) and its refusal, FAILED_PRECONDITION with the reason, is shown as is. */}
          <div class="actions">
            {action('retry', () => api.notifications.retryNotification({ id }), 'action-retry')}
            {action('cancel', () => api.notifications.cancelNotification({ id }), 'action-cancel')}
            {action(
              'recall',
              () => api.notifications.recallNotification({ id, reason: 'recalled from the console' }),
              'action-recall',
            )}
            {action(
              'acknowledge',
              () => api.notifications.acknowledgeNotification({ id, by: 'console' }),
              'action-acknowledge',
            )}
          </div>
          <Section title={t('notification')}>
            <dl class="fields" data-testid="notification-fields">
              <dt>{t('status')}</dt>
              <dd data-testid="notification-status">
                <StatusBadge status={notification.status} />
              </dd>
              <dt>{t('userId')}</dt>
              <dd>
                <a href={`${BASE}users/${encodeURIComponent(notification.userId)}`}>{notification.userId}</a>
              </dd>
              <dt>{t('channel')}</dt>
              <dd>{notification.channel}</dd>
              <dt>{t('trigger')}</dt>
              <dd>
                {notification.triggerId}{' '}
                {notification.triggerType ? <small>({notification.triggerType})</small> : null}
              </dd>
              <dt>{t('dedupeKey')}</dt>
              <dd>{notification.dedupeKey}</dd>
              <dt>{t('message')}</dt>
              <dd class="message">{notification.messageText}</dd>
              <dt>{t('created')}</dt>
              <dd>{formatTime(notification.createdAt, language)}</dd>
              <dt>{t('sentAt')}</dt>
              <dd>{formatTime(notification.sentAt, language)}</dd>
              <dt>{t('nextAttemptAt')}</dt>
              <dd>{formatTime(notification.nextAttemptAt, language)}</dd>
              <dt>{t('providerMessageId')}</dt>
              <dd>{notification.providerMessageId || '—'}</dd>
              <dt>{t('lastError')}</dt>
              <dd>
                {notification.lastErrorCode ? (
                  <>
                    <code>{notification.lastErrorCode}</code> {notification.lastErrorMessage}
                  </>
                ) : (
                  '—'
                )}
              </dd>
              <dt>{t('acknowledged')}</dt>
              <dd data-testid="acknowledged">
                {notification.acknowledgedAt
                  ? `${formatTime(notification.acknowledgedAt, language)} · ${notification.acknowledgedBy}`
                  : '—'}
              </dd>
              <dt>{t('recalledAt')}</dt>
              <dd>{formatTime(notification.recalledAt, language)}</dd>
              <dt>{t('event')}</dt>
              <dd>
                {notification.eventId ? (
                  <a
                    href={`${BASE}events/${encodeURIComponent(notification.eventId)}`}
                    data-testid="event-link"
                  >
                    {notification.eventId}
                  </a>
                ) : (
                  '—'
                )}
              </dd>
              <dt>{t('traceId')}</dt>
              <dd>{notification.traceId || '—'}</dd>
            </dl>
          </Section>
          <Section title={t('timeline')}>
            {notification.attempts.length === 0 ? (
              <p>{t('none')}</p>
            ) : (
              <ol class="timeline" data-testid="attempts">
                {notification.attempts.map((attempt) => (
                  <li class={`outcome-${outcomeName(attempt.outcome).toLowerCase()}`}>
                    <span class="attempt-no">#{attempt.attemptNo}</span>{' '}
                    {attempt.kind && attempt.kind !== 'send' ? (
                      <span class="badge">{attempt.kind}</span>
                    ) : null}{' '}
                    <strong>{outcomeName(attempt.outcome)}</strong>{' '}
                    {attempt.errorCode ? <code>{attempt.errorCode}</code> : null} {attempt.errorMessage}{' '}
                    <span class="muted">
                      {formatTime(attempt.startedAt, language)} · {attempt.durationMs} ms
                    </span>
                    {attempt.possibleDuplicate ? (
                      <span class="badge warn">{t('possibleDuplicate')}</span>
                    ) : null}
                    <Payload label={t('requestPayload')} value={attempt.requestPayload} />
                    <Payload label={t('responsePayload')} value={attempt.responsePayload} />
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      )}
    </>
  );
}

/** A stored payload, collapsed: the gateway redacted it before storing, so it is shown as is. */
function Payload({ label, value }: { label: string; value: Value | undefined }) {
  if (!value) return null;
  return (
    <details class="payload">
      <summary>{label}</summary>
      <pre>{JSON.stringify(toJson(ValueSchema, value), null, 2)}</pre>
    </details>
  );
}
