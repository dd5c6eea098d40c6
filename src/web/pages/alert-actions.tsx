import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import type { CaseOpened } from '../api/types.js';
import { useApp } from '../app-context.js';
import { AssigneePicker } from '../components/assignee-picker.js';
import { Notice } from '../components/status-message.js';

/** Assign an alert to a person (supervisors) and open its case (supervisors and investigators). */
export function AlertActions(props: {
  readonly alertId: string;
  readonly assignee: string | undefined;
  readonly onChanged: () => void;
}) {
  const { api, i18n, user, navigate } = useApp();
  const [assignee, setAssignee] = useState(props.assignee ?? '');
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | undefined>(undefined);
  const inputId = useId();
  const fail = (e: unknown) =>
    setNotice({ text: e instanceof ApiError ? e.message : String(e), kind: 'error' });
  const assign = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.post(`/api/alerts/${encodeURIComponent(props.alertId)}/assign`, { assignee });
      setNotice({ text: i18n.t('alerts.assigned', { name: assignee }), kind: 'ok' });
      props.onChanged();
    } catch (e) {
      fail(e);
    }
  };
  const openCase = async () => {
    try {
      const opened = await api.post<CaseOpened>('/api/cases/from-alert', { alertId: props.alertId });
      navigate({ page: 'case', id: opened.caseId });
    } catch (e) {
      fail(e);
    }
  };
  const canDecide = user?.role === 'supervisor' || user?.role === 'investigator';
  return (
    <div className="row-actions">
      {user?.role === 'supervisor' ? (
        <form onSubmit={assign} className="inline-form">
          <label htmlFor={inputId} className="visually-hidden">
            {i18n.t('assignee.label', { id: props.alertId })}
          </label>
          <AssigneePicker id={inputId} value={assignee} onChange={setAssignee} testId="alert-assignee" />
          <button type="submit" aria-label={`${i18n.t('alerts.assign')} ${props.alertId}`}>
            {i18n.t('alerts.assign')}
          </button>
        </form>
      ) : null}
      {canDecide ? (
        <button
          type="button"
          onClick={openCase}
          aria-label={`${i18n.t('alerts.openCase')} ${props.alertId}`}
          data-testid="alert-open-case"
        >
          {i18n.t('alerts.openCase')}
        </button>
      ) : null}
      <Notice text={notice?.text} kind={notice?.kind ?? 'ok'} />
    </div>
  );
}
