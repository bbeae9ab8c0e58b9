import { useState } from 'preact/hooks';
import { NotificationStatus } from '../../../src/gen/notify/v1/notification_pb.js';
import type { ErrorCodeCount } from '../../../src/gen/notify/v1/operations_service_pb.js';
import { api, describeError } from '../api.js';
import { ErrorBox, Section } from '../components/common.js';
import { useRpc, type RpcFailure } from '../components/use-rpc.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n.js';
import { BASE } from '../router.js';

/** Redrive is bounded per press, like the CLI's default. */
const REDRIVE_LIMIT = 500;

type Step =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'dry-run'; matched: bigint; flagged: bigint }
  | { kind: 'done'; redriven: bigint }
  | { kind: 'failed'; error: RpcFailure };

/**
 * One group's bulk redrive: a dry run says how many would move (and how many are flagged as
 * possibly sent already), and only then can the operator confirm the real run.
 */
function RedriveGroup({ group, onDone }: { group: ErrorCodeCount; onDone: (redriven: bigint) => void }) {
  const { t } = useI18n();
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const filter = {
    statuses: [NotificationStatus.DEAD],
    channel: group.channel,
    errorCode: group.errorCode,
    limit: REDRIVE_LIMIT,
  };
  const run = (dryRun: boolean) => {
    setStep({ kind: 'busy' });
    api.notifications.redriveNotifications({ ...filter, dryRun }).then(
      (answer) => {
        if (dryRun) setStep({ kind: 'dry-run', matched: answer.matchedCount, flagged: answer.flaggedCount });
        else {
          setStep({ kind: 'done', redriven: answer.redrivenCount });
          onDone(answer.redrivenCount);
        }
      },
      (error: unknown) => setStep({ kind: 'failed', error: describeError(error) }),
    );
  };
  const testId = `redrive-${group.errorCode}`;
  return (
    <div class="confirm" data-testid={testId}>
      {step.kind === 'dry-run' ? (
        <span class="confirm-ask" role="group">
          <span>{t('dryRunResult', { count: String(step.matched) })}</span>
          {step.flagged > 0n ? (
            <span class="badge warn">{t('flaggedResult', { count: String(step.flagged) })}</span>
          ) : null}
          <button type="button" class="danger" onClick={() => run(false)} disabled={step.matched === 0n}>
            {t('confirmRedrive', { count: String(step.matched) })}
          </button>
          <button type="button" onClick={() => setStep({ kind: 'idle' })}>
            {t('dismiss')}
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => run(true)} disabled={step.kind === 'busy'}>
          {t('redrive')} ({t('dryRun')})
        </button>
      )}
      {step.kind === 'failed' ? <ErrorBox error={step.error} /> : null}
    </div>
  );
}

/** `/console/dead`: DEAD notifications grouped by error code, each group redriven in bulk. */
export function DeadPage() {
  const { t, language } = useI18n();
  const overview = useRpc(() => api.operations.getOverview({}), []);
  const groups = overview.data?.deadByError ?? [];
  // Shown above the groups: a redriven group usually disappears from the list at once.
  const [notice, setNotice] = useState<string>();
  return (
    <>
      <h1>{t('deadTitle')}</h1>
      {notice ? (
        <p class="ok" role="status" data-testid="redrive-notice">
          {notice}
        </p>
      ) : null}
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
          <RedriveGroup
            group={group}
            onDone={(redriven) => {
              setNotice(t('redriveResult', { count: String(redriven) }));
              overview.reload();
            }}
          />
        </Section>
      ))}
    </>
  );
}
