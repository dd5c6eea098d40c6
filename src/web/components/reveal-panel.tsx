import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import { useApp } from '../app-context.js';
import { Notice } from './status-message.js';

/**
 * Masked personal data with a way to reveal it: the person gives a reason, the API's reveal route records it in
 * the audit log and answers with the full values, which `children` then shows.
 */
export function RevealPanel<T>(props: {
  readonly reveal: (reason: string) => Promise<T>;
  readonly children: (revealed: T | undefined) => ReactNode;
}) {
  const { i18n } = useApp();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [revealed, setRevealed] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const reasonId = useId();
  const helpId = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setRevealed(await props.reveal(reason));
      setOpen(false);
      setError(undefined);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <div className="reveal">
      {props.children(revealed)}
      {revealed !== undefined ? (
        <Notice text={i18n.t('mask.revealed')} />
      ) : open ? (
        <form onSubmit={submit} aria-label={i18n.t('mask.revealTitle')} className="inline-form">
          <label htmlFor={reasonId}>{i18n.t('mask.reason')}</label>
          <input
            id={reasonId}
            aria-describedby={helpId}
            value={reason}
            required
            minLength={2}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <span id={helpId} className="help">
            {i18n.t('mask.reasonHelp')}
          </span>
          <button type="submit" data-testid="reveal-submit">
            {i18n.t('app.submit')}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            {i18n.t('app.cancel')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)} data-testid="reveal">
          {i18n.t('mask.reveal')}
        </button>
      )}
      <Notice text={error} kind="error" />
    </div>
  );
}
