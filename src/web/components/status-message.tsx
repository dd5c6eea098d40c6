import type { ApiError } from '../api/api-client.js';
import { useApp } from '../app-context.js';

/** Loading, or the error of a request in words, or nothing. */
export function StatusMessage(props: {
  readonly loading: boolean;
  readonly error: ApiError | undefined;
  readonly route?: string;
  readonly onRetry?: () => void;
}) {
  const { i18n } = useApp();
  if (props.error !== undefined) {
    const text = props.error.isMissingRoute
      ? i18n.t('app.missingRoute', { route: props.route ?? '' })
      : i18n.t('app.error', { message: props.error.message });
    return (
      <div className="message error" role="alert">
        {text}{' '}
        {props.onRetry === undefined ? null : (
          <button type="button" onClick={props.onRetry}>
            {i18n.t('app.retry')}
          </button>
        )}
      </div>
    );
  }
  if (props.loading) {
    return (
      <p className="message" role="status">
        {i18n.t('app.loading')}
      </p>
    );
  }
  return null;
}

/** A short note after an action (role=status, read out by screen readers). */
export function Notice(props: { readonly text: string | undefined; readonly kind?: 'ok' | 'error' }) {
  if (props.text === undefined) return null;
  return (
    <p className={`message ${props.kind ?? 'ok'}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.text}
    </p>
  );
}
