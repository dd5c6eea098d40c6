import { useState } from 'react';
import type { CaseDetail, CaseEventView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { formatFen, formatTime } from '../format/format.js';
import type { Translator } from '../i18n/messages.js';
import { hrefOf } from '../route.js';
import { useApiData } from '../use-api-data.js';
import { ApprovalsTable } from './approvals-table.js';
import {
  AccountabilityForm,
  AssignForm,
  NoteForm,
  RecoveryForm,
  SuspendRequestForm,
  TransitionForm,
} from './case-forms.js';

function eventText(e: CaseEventView, i18n: Translator): string {
  const text = (field: string) => (typeof e[field] === 'string' ? (e[field] as string) : '');
  switch (e.kind) {
    case 'transition':
      return `${i18n.term('caseStatus', text('from'))} → ${i18n.term('caseStatus', text('to'))}: ${text('reason')}${
        text('approvedBy') === '' ? '' : ` (${i18n.t('case.approved')}: ${text('approvedBy')})`
      }`;
    case 'note':
      return text('text');
    case 'evidence':
      return `${text('reference')}: ${text('description')}`;
    case 'assignment':
      return text('assignee');
    case 'link':
      return `${text('linkKind')} ${text('ref')}`;
    default:
      return '';
  }
}

/** One case: its workflow, history, recovery ledger, accountability, and four-eyes approvals of its beneficiaries. */
export function CasePage(props: { readonly id: string }) {
  const { api, i18n, user } = useApp();
  const [generation, setGeneration] = useState(0);
  const { data, error, loading, reload } = useApiData(
    () => api.get<CaseDetail>(`/api/cases/${encodeURIComponent(props.id)}`),
    [api, props.id, generation],
  );
  const changed = () => {
    setGeneration((g) => g + 1);
    reload();
  };
  const targets = new Set([
    `case:${props.id}`,
    ...(data?.beneficiaryIds ?? []).map((b) => `beneficiary:${b}`),
  ]);
  return (
    <Page title={i18n.t('case.title', { id: props.id })} ready={data !== undefined || error !== undefined}>
      <StatusMessage loading={loading && data === undefined} error={error} onRetry={reload} />
      {data === undefined ? null : (
        <>
          <dl className="facts inline">
            <dt>{i18n.t('cases.caseTitle')}</dt>
            <dd>{data.title}</dd>
            <dt>{i18n.t('cases.status')}</dt>
            <dd data-testid="case-status">{i18n.term('caseStatus', data.status)}</dd>
            <dt>{i18n.t('cases.subject')}</dt>
            <dd>{`${i18n.term('entity', data.subjectType)} ${data.subjectId}`}</dd>
            <dt>{i18n.t('cases.atRisk')}</dt>
            <dd>{formatFen(data.amountAtRiskFen)}</dd>
            <dt>{i18n.t('cases.assignee')}</dt>
            <dd>{data.assignee ?? '—'}</dd>
            <dt>{i18n.t('alert.beneficiaries')}</dt>
            <dd>
              {data.beneficiaryIds.slice(0, 40).map((b) => (
                <a key={b} href={hrefOf({ page: 'suspect', id: b })}>
                  {b}{' '}
                </a>
              ))}
            </dd>
          </dl>
          <div className="two-columns">
            <section className="panel" aria-labelledby="workflow-heading">
              <h2 id="workflow-heading">{i18n.t('case.workflow')}</h2>
              <ol className="workflow">
                {(['open', 'investigating', 'confirmed', 'recovery', 'closed'] as const).map((s) => (
                  <li key={s} aria-current={s === data.status ? 'step' : undefined}>
                    {i18n.term('caseStatus', s)}
                  </li>
                ))}
              </ol>
              <TransitionForm detail={data} onDone={changed} />
              {user?.role === 'supervisor' ? (
                <AssignForm caseId={data.caseId} assignee={data.assignee} onDone={changed} />
              ) : null}
              <NoteForm caseId={data.caseId} onDone={changed} />
            </section>
            <section className="panel" aria-labelledby="approvals-heading">
              <h2 id="approvals-heading">{i18n.t('case.approvals')}</h2>
              <SuspendRequestForm beneficiaryIds={data.beneficiaryIds} onDone={changed} />
            </section>
          </div>
          <ApprovalsTable generation={generation} filter={(a) => targets.has(a.target)} />
          <h2>{i18n.t('case.recovery')}</h2>
          <dl className="stats small">
            {(
              [
                ['case.due', data.recoveryTotals.dueFen],
                ['case.demanded', data.recoveryTotals.demandedFen],
                ['case.recoveredTotal', data.recoveryTotals.recoveredFen],
                ['case.outstanding', data.recoveryTotals.outstandingFen],
              ] as const
            ).map(([key, fen]) => (
              <div className="stat-card" key={key}>
                <dt>{i18n.t(key)}</dt>
                <dd>{formatFen(fen)}</dd>
              </div>
            ))}
          </dl>
          <div className="two-columns">
            <table>
              <caption className="visually-hidden">{i18n.t('case.recovery')}</caption>
              <thead>
                <tr>
                  <th scope="col">{i18n.t('cases.openedAt')}</th>
                  <th scope="col">{i18n.t('case.entryKind')}</th>
                  <th scope="col">{i18n.t('case.route')}</th>
                  <th scope="col" className="num">
                    {i18n.t('case.amountYuan')}
                  </th>
                  <th scope="col">{i18n.t('case.note')}</th>
                </tr>
              </thead>
              <tbody>
                {data.recovery.map((r) => (
                  <tr key={r.entryId}>
                    <td>{formatTime(r.at)}</td>
                    <td>{i18n.term('recoveryKind', r.kind)}</td>
                    <td>{r.route === undefined ? '' : i18n.term('recoveryRoute', r.route)}</td>
                    <td className="num">{formatFen(r.amountFen)}</td>
                    <td>{r.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <RecoveryForm caseId={data.caseId} onDone={changed} />
          </div>
          <h2>{i18n.t('case.accountability')}</h2>
          <div className="two-columns">
            <ul className="plain">
              {data.accountability.map((a) => (
                <li key={a.recordId}>
                  {`${formatTime(a.at)} ${a.handlerId}: ${i18n.term('disposition', a.disposition)} — ${a.note} (${a.by})`}
                </li>
              ))}
            </ul>
            <AccountabilityForm caseId={data.caseId} onDone={changed} />
          </div>
          <h2>{i18n.t('case.timeline')}</h2>
          <ol className="timeline">
            {[...data.events].reverse().map((e) => (
              <li key={`${e.at}-${e.kind}-${e.by}-${eventText(e, i18n)}`}>
                <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at)}</time>{' '}
                <span className="tl-kind">{i18n.term('event', e.kind)}</span> {e.by}: {eventText(e, i18n)}
              </li>
            ))}
          </ol>
        </>
      )}
    </Page>
  );
}
