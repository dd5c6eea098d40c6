import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import {
  type ApprovalView,
  CASE_TRANSITIONS,
  type CaseDetail,
  DISPOSITIONS,
  RECOVERY_ENTRY_KINDS,
  RECOVERY_ROUTES,
} from '../api/types.js';
import { useApp } from '../app-context.js';
import { AssigneePicker } from '../components/assignee-picker.js';
import { Notice } from '../components/status-message.js';

type Outcome = { text: string; kind: 'ok' | 'error' } | undefined;

/** A small form that posts, says what happened, and tells the page to reload. */
function ActionForm(props: {
  readonly label: string;
  readonly submit: string;
  readonly run: () => Promise<string | undefined>;
  readonly onDone: () => void;
  readonly children: ReactNode;
  readonly testId?: string;
}) {
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const text = await props.run();
      setOutcome(text === undefined ? undefined : { text, kind: 'ok' });
      props.onDone();
    } catch (e) {
      setOutcome({ text: e instanceof ApiError ? e.message : String(e), kind: 'error' });
    }
  };
  return (
    <form onSubmit={onSubmit} aria-label={props.label} className="stack-form" data-testid={props.testId}>
      {props.children}
      <button type="submit">{props.submit}</button>
      <Notice text={outcome?.text} kind={outcome?.kind ?? 'ok'} />
    </form>
  );
}

function Field(props: { readonly label: string; readonly children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
    </div>
  );
}

const yuanToFen = (text: string): number => {
  const [whole = '0', part = ''] = text.trim().split('.');
  return Number(whole) * 100 + Number(part.padEnd(2, '0').slice(0, 2));
};

export function TransitionForm(props: { readonly detail: CaseDetail; readonly onDone: () => void }) {
  const { api, i18n } = useApp();
  const next = CASE_TRANSITIONS[props.detail.status];
  const [to, setTo] = useState<string>(next[0] ?? '');
  const [reason, setReason] = useState('');
  if (next.length === 0) return null;
  return (
    <ActionForm
      label={i18n.t('case.workflow')}
      submit={i18n.t('case.transition')}
      testId="transition-form"
      onDone={props.onDone}
      run={async () => {
        const answer = await api.post<{ status: string; approval?: ApprovalView }>(
          `/api/cases/${encodeURIComponent(props.detail.caseId)}/transitions`,
          { to, reason },
        );
        setReason('');
        return answer.approval === undefined
          ? i18n.term('caseStatus', answer.status)
          : i18n.t('case.pendingApproval', { approvalId: answer.approval.approvalId });
      }}
    >
      <Field label={i18n.t('case.moveTo')}>
        {(id) => (
          <select id={id} value={to} onChange={(e) => setTo(e.target.value)}>
            {next.map((s) => (
              <option key={s} value={s}>
                {i18n.term('caseStatus', s)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={i18n.t('case.reason')}>
        {(id) => <input id={id} value={reason} required onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

export function NoteForm(props: { readonly caseId: string; readonly onDone: () => void }) {
  const { api, i18n } = useApp();
  const [text, setText] = useState('');
  return (
    <ActionForm
      label={i18n.t('case.addNote')}
      submit={i18n.t('case.addNote')}
      onDone={props.onDone}
      run={async () => {
        await api.post(`/api/cases/${encodeURIComponent(props.caseId)}/notes`, { text });
        setText('');
        return undefined;
      }}
    >
      <Field label={i18n.t('case.note')}>
        {(id) => (
          <textarea id={id} value={text} required rows={2} onChange={(e) => setText(e.target.value)} />
        )}
      </Field>
    </ActionForm>
  );
}

export function RecoveryForm(props: { readonly caseId: string; readonly onDone: () => void }) {
  const { api, i18n } = useApp();
  const [kind, setKind] = useState<string>('due');
  const [route, setRoute] = useState<string>('bank_reclamation');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  return (
    <ActionForm
      label={i18n.t('case.addRecovery')}
      submit={i18n.t('case.addRecovery')}
      onDone={props.onDone}
      run={async () => {
        await api.post(`/api/cases/${encodeURIComponent(props.caseId)}/recovery`, {
          kind,
          ...(kind === 'recovered' ? { route } : {}),
          amountFen: yuanToFen(amount),
          note,
        });
        setAmount('');
        setNote('');
        return undefined;
      }}
    >
      <Field label={i18n.t('case.entryKind')}>
        {(id) => (
          <select id={id} value={kind} onChange={(e) => setKind(e.target.value)}>
            {RECOVERY_ENTRY_KINDS.map((k) => (
              <option key={k} value={k}>
                {i18n.term('recoveryKind', k)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {kind === 'recovered' ? (
        <Field label={i18n.t('case.route')}>
          {(id) => (
            <select id={id} value={route} onChange={(e) => setRoute(e.target.value)}>
              {RECOVERY_ROUTES.map((r) => (
                <option key={r} value={r}>
                  {i18n.term('recoveryRoute', r)}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      <Field label={i18n.t('case.amountYuan')}>
        {(id) => (
          <input
            id={id}
            value={amount}
            required
            inputMode="decimal"
            pattern="\d+(\.\d{1,2})?"
            onChange={(e) => setAmount(e.target.value)}
          />
        )}
      </Field>
      <Field label={i18n.t('case.note')}>
        {(id) => <input id={id} value={note} required onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

export function AccountabilityForm(props: { readonly caseId: string; readonly onDone: () => void }) {
  const { api, i18n } = useApp();
  const [handlerId, setHandlerId] = useState('');
  const [disposition, setDisposition] = useState<string>('warning');
  const [note, setNote] = useState('');
  return (
    <ActionForm
      label={i18n.t('case.addAccountability')}
      submit={i18n.t('case.addAccountability')}
      onDone={props.onDone}
      run={async () => {
        await api.post(`/api/cases/${encodeURIComponent(props.caseId)}/accountability`, {
          handlerId,
          disposition,
          note,
        });
        setNote('');
        return undefined;
      }}
    >
      <Field label={i18n.t('case.handlerId')}>
        {(id) => <input id={id} value={handlerId} required onChange={(e) => setHandlerId(e.target.value)} />}
      </Field>
      <Field label={i18n.t('case.disposition')}>
        {(id) => (
          <select id={id} value={disposition} onChange={(e) => setDisposition(e.target.value)}>
            {DISPOSITIONS.map((d) => (
              <option key={d} value={d}>
                {i18n.term('disposition', d)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={i18n.t('case.note')}>
        {(id) => <input id={id} value={note} required onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

export function SuspendRequestForm(props: {
  readonly beneficiaryIds: readonly string[];
  readonly onDone: () => void;
}) {
  const { api, i18n } = useApp();
  const [beneficiaryId, setBeneficiaryId] = useState(props.beneficiaryIds[0] ?? '');
  const [reason, setReason] = useState('');
  if (props.beneficiaryIds.length === 0) return null;
  return (
    <ActionForm
      label={i18n.t('case.requestSuspend')}
      submit={i18n.t('case.requestSuspend')}
      testId="suspend-form"
      onDone={props.onDone}
      run={async () => {
        const approval = await api.post<ApprovalView>('/api/approvals', {
          action: 'benefit.suspend',
          beneficiaryId,
          reason,
        });
        setReason('');
        return i18n.t('suspect.suspendRequested', { approvalId: approval.approvalId });
      }}
    >
      <Field label={i18n.t('case.beneficiaryToSuspend')}>
        {(id) => (
          <select id={id} value={beneficiaryId} onChange={(e) => setBeneficiaryId(e.target.value)}>
            {props.beneficiaryIds.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={i18n.t('case.reason')}>
        {(id) => <input id={id} value={reason} required onChange={(e) => setReason(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

/** Assign the case to a person picked from the list of users (supervisors). */
export function AssignForm(props: {
  readonly caseId: string;
  readonly assignee: string | undefined;
  readonly onDone: () => void;
}) {
  const { api, i18n } = useApp();
  const [assignee, setAssignee] = useState(props.assignee ?? '');
  return (
    <ActionForm
      label={i18n.t('case.assign')}
      submit={i18n.t('alerts.assign')}
      testId="case-assign-form"
      run={async () => {
        await api.patch(`/api/cases/${encodeURIComponent(props.caseId)}`, { assignee });
        return i18n.t('alerts.assigned', { name: assignee });
      }}
      onDone={props.onDone}
    >
      <Field label={i18n.t('cases.assignee')}>
        {(id) => <AssigneePicker id={id} value={assignee} onChange={setAssignee} testId="case-assignee" />}
      </Field>
    </ActionForm>
  );
}
