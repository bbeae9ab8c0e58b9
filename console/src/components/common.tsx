import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { NotificationStatus } from '../../../src/gen/notify/v1/notification_pb.js';
import { describeError } from '../api.js';
import { statusName } from '../format.js';
import { useI18n } from '../i18n.js';
import type { RpcFailure } from './use-rpc.js';

/** A failed RPC, code first, exactly as the gateway said it. */
export function ErrorBox({ error }: { error: RpcFailure | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      <strong>{error.code}</strong> {error.message}
    </p>
  );
}

/** A status as a coloured badge. */
export function StatusBadge({ status }: { status: NotificationStatus }) {
  const name = statusName(status);
  return <span class={`badge status-${name.toLowerCase()}`}>{name}</span>;
}

/** A titled block of a page. */
export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A button that asks before it acts: the first press shows the question with Confirm and Back
 * (both keyboard reachable, Confirm focused); the action's failure is shown beside it.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  done: string;
  action: () => Promise<unknown>;
  onDone?: () => void;
  testId?: string;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const run = () => {
    setBusy(true);
    props.action().then(
      () => {
        setBusy(false);
        setAsking(false);
        setOutcome({ ok: true, text: props.done });
        props.onDone?.();
      },
      (error: unknown) => {
        setBusy(false);
        setAsking(false);
        const described = describeError(error);
        setOutcome({ ok: false, text: `${described.code} ${described.message}` });
      },
    );
  };
  return (
    <span class="confirm" data-testid={props.testId}>
      {asking ? (
        <span class="confirm-ask" role="group" aria-label={props.question}>
          <span>{props.question}</span>
          <button type="button" class="danger" disabled={busy} onClick={run} ref={(el) => el?.focus()}>
            {t('confirm')}
          </button>
          <button type="button" disabled={busy} onClick={() => setAsking(false)}>
            {t('dismiss')}
          </button>
        </span>
      ) : (
        <button
          type="button"
          onClick={() => {
            setOutcome(undefined);
            setAsking(true);
          }}
        >
          {props.label}
        </button>
      )}
      {outcome ? (
        <span class={outcome.ok ? 'ok' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </span>
      ) : null}
    </span>
  );
}
