import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import type {
  ApprovalView,
  BeneficiaryView,
  CaseOpened,
  RevealedBeneficiary,
  SuspectDetail,
  TimelineEntry,
} from '../api/types.js';
import { useApp } from '../app-context.js';
import { Page } from '../components/page.js';
import { RevealPanel } from '../components/reveal-panel.js';
import { Notice, StatusMessage } from '../components/status-message.js';
import { formatFen, formatProbability, formatTime, formatWeight } from '../format/format.js';
import type { Translator } from '../i18n/messages.js';
import { hrefOf } from '../route.js';
import { useApiData } from '../use-api-data.js';
import { WaterfallChart } from './waterfall-chart.js';

interface SuspectPageData {
  readonly detail: SuspectDetail;
  readonly beneficiary: BeneficiaryView | undefined;
  readonly timeline: readonly TimelineEntry[] | undefined;
}

const dayStart = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

/** The beneficiary's history: the full one when the API gives it, else what the finding and orders carry. */
function timelineOf(data: SuspectPageData, i18n: Translator): { entries: TimelineEntry[]; partial: boolean } {
  const entries: TimelineEntry[] = [];
  for (const link of data.detail.links) {
    entries.push({
      kind: 'death_reported',
      at: dayStart(link.deathDate),
      text: i18n.t('timeline.death_reported', {
        source: i18n.term('source', link.source),
        date: link.deathDate,
      }),
    });
  }
  for (const d of data.detail.decisions) {
    entries.push({
      kind: 'status_change',
      at: d.decidedAt,
      text: i18n.t('timeline.decision', {
        decision: i18n.term('decision', d.decision),
        before: i18n.term('status', d.statusBefore),
        after: i18n.term('status', d.statusAfter),
      }),
    });
  }
  for (const o of data.beneficiary?.benefitOrders ?? []) {
    entries.push({
      kind: 'status_change',
      at: o.at,
      text: i18n.t('timeline.order', { action: i18n.term('status', o.action), by: o.approvedBy }),
    });
  }
  const partial = data.timeline === undefined;
  for (const e of data.timeline ?? []) entries.push(e);
  entries.sort((a, b) => b.at - a.at);
  return { entries, partial };
}

function SuspectActions(props: { readonly beneficiaryId: string; readonly onChanged: () => void }) {
  const { api, i18n, navigate } = useApp();
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | undefined>(undefined);
  const reasonId = useId();
  const fail = (e: unknown) =>
    setNotice({ text: e instanceof ApiError ? e.message : String(e), kind: 'error' });
  const openCase = async () => {
    try {
      const opened = await api.post<CaseOpened>('/api/cases/from-suspect', {
        beneficiaryId: props.beneficiaryId,
      });
      navigate({ page: 'case', id: opened.caseId });
    } catch (e) {
      fail(e);
    }
  };
  const requestSuspend = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const approval = await api.post<ApprovalView>('/api/approvals', {
        action: 'benefit.suspend',
        beneficiaryId: props.beneficiaryId,
        reason,
      });
      setNotice({
        text: i18n.t('suspect.suspendRequested', { approvalId: approval.approvalId }),
        kind: 'ok',
      });
      props.onChanged();
    } catch (e) {
      fail(e);
    }
  };
  return (
    <div className="actions">
      <button type="button" onClick={openCase} data-testid="open-case">
        {i18n.t('suspect.openCase')}
      </button>
      <form onSubmit={requestSuspend} className="inline-form" aria-label={i18n.t('suspect.requestSuspend')}>
        <label htmlFor={reasonId}>{i18n.t('case.reason')}</label>
        <input id={reasonId} value={reason} required onChange={(e) => setReason(e.target.value)} />
        <button type="submit">{i18n.t('suspect.requestSuspend')}</button>
      </form>
      <Notice text={notice?.text} kind={notice?.kind ?? 'ok'} />
    </div>
  );
}

/** One finding: identity (masked, revealable), the match explained as a waterfall, the death records, the timeline. */
export function SuspectPage(props: { readonly id: string }) {
  const { api, i18n } = useApp();
  const path = `/api/suspects/${encodeURIComponent(props.id)}`;
  const beneficiaryPath = `/api/beneficiaries/${encodeURIComponent(props.id)}`;
  const { data, error, loading, reload } = useApiData<SuspectPageData>(async () => {
    const [detail, beneficiary, timeline] = await Promise.all([
      api.get<SuspectDetail>(path),
      api.get<BeneficiaryView>(beneficiaryPath).catch(() => undefined),
      api.getOptional<{ items: TimelineEntry[] }>(`${beneficiaryPath}/timeline`),
    ]);
    return { detail, beneficiary, timeline: timeline?.items };
  }, [api, props.id]);
  const best = data?.detail.links.reduce<SuspectDetail['links'][number] | undefined>(
    (top, l) => (top === undefined || l.matchWeight > top.matchWeight ? l : top),
    undefined,
  );
  const timeline = data === undefined ? undefined : timelineOf(data, i18n);
  const b = data?.beneficiary;
  return (
    <Page title={i18n.t('suspect.title', { id: props.id })} ready={data !== undefined || error !== undefined}>
      <StatusMessage loading={loading && data === undefined} error={error} onRetry={reload} />
      {data === undefined ? null : (
        <>
          <div className="two-columns">
            <section aria-labelledby="identity-heading" className="panel">
              <h2 id="identity-heading">{i18n.t('suspect.identity')}</h2>
              <RevealPanel<RevealedBeneficiary>
                reveal={(reason) => api.post<RevealedBeneficiary>(`${beneficiaryPath}/reveal`, { reason })}
              >
                {(revealed) => (
                  <dl className="facts">
                    <dt>{i18n.t('suspects.name')}</dt>
                    <dd data-testid="name">{revealed?.name ?? data.detail.suspect.nameMasked}</dd>
                    <dt>{i18n.t('suspect.idNumber')}</dt>
                    <dd data-testid="id-number" className={revealed ? 'revealed' : 'masked'}>
                      {revealed?.idNumber ?? b?.idNumberMasked ?? '—'}
                    </dd>
                    <dt>{i18n.t('suspect.bankCard')}</dt>
                    <dd data-testid="bank-card" className={revealed ? 'revealed' : 'masked'}>
                      {revealed?.bankCard ?? b?.bankCardMasked ?? '—'}
                    </dd>
                    {revealed?.phone === undefined ? null : (
                      <>
                        <dt>{i18n.t('suspect.phone')}</dt>
                        <dd>{revealed.phone}</dd>
                      </>
                    )}
                    {revealed?.address === undefined ? null : (
                      <>
                        <dt>{i18n.t('suspect.address')}</dt>
                        <dd>{revealed.address}</dd>
                      </>
                    )}
                    <dt>{i18n.t('suspect.region')}</dt>
                    <dd>{b?.regionCode ?? '—'}</dd>
                    <dt>{i18n.t('suspects.handler')}</dt>
                    <dd>{data.detail.suspect.handlerId ?? '—'}</dd>
                    <dt>{i18n.t('suspect.monthly')}</dt>
                    <dd>{b?.monthlyAmountFen === undefined ? '—' : formatFen(b.monthlyAmountFen)}</dd>
                    <dt>{i18n.t('suspect.currentStatus')}</dt>
                    <dd data-testid="beneficiary-status">
                      {b === undefined ? '—' : i18n.term('status', b.status)}
                    </dd>
                  </dl>
                )}
              </RevealPanel>
            </section>
            <section aria-labelledby="finding-heading" className="panel">
              <h2 id="finding-heading">{i18n.t('suspects.decision')}</h2>
              <dl className="facts">
                <dt>{i18n.t('suspects.deathDate')}</dt>
                <dd>{data.detail.suspect.deathDate}</dd>
                <dt>{i18n.t('suspects.probability')}</dt>
                <dd>{formatProbability(data.detail.suspect.matchProbability)}</dd>
                <dt>{i18n.t('suspects.decision')}</dt>
                <dd>{i18n.term('decision', data.detail.suspect.decision)}</dd>
                <dt>{i18n.t('suspects.firstUnentitled')}</dt>
                <dd>{data.detail.suspect.firstUnentitledPeriod}</dd>
                <dt>{i18n.t('suspects.overpaid')}</dt>
                <dd>{formatFen(data.detail.suspect.overpaidFen)}</dd>
                <dt>{i18n.t('suspect.cases')}</dt>
                <dd>
                  {data.detail.caseIds.map((id) => (
                    <a key={id} href={hrefOf({ page: 'case', id })}>
                      {id}{' '}
                    </a>
                  ))}
                </dd>
              </dl>
              <SuspectActions beneficiaryId={props.id} onChanged={reload} />
            </section>
          </div>
          <h2>{i18n.t('suspect.waterfall')}</h2>
          {best?.explanation === undefined ? (
            <p>{i18n.t('app.empty')}</p>
          ) : (
            <WaterfallChart priorWeight={best.explanation.priorWeight} terms={best.explanation.terms} />
          )}
          <h2>{i18n.t('suspect.deathSources')}</h2>
          <table>
            <caption className="visually-hidden">{i18n.t('suspect.deathSources')}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('suspect.source')}</th>
                <th scope="col">{i18n.t('suspect.record')}</th>
                <th scope="col">{i18n.t('suspects.deathDate')}</th>
                <th scope="col" className="num">
                  {i18n.t('suspect.matchWeight')}
                </th>
                <th scope="col" className="num">
                  {i18n.t('suspects.probability')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.detail.links.map((l) => (
                <tr key={`${l.source}:${l.recordId}`}>
                  <td>{i18n.term('source', l.source)}</td>
                  <td>{l.recordId}</td>
                  <td>{l.deathDate}</td>
                  <td className="num">{formatWeight(l.matchWeight)}</td>
                  <td className="num">{formatProbability(l.matchProbability)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{i18n.t('suspect.timeline')}</h2>
          <p className="help">
            {timeline?.partial ? i18n.t('suspect.timelinePartial') : i18n.t('suspect.timelineHelp')}
          </p>
          <ol className="timeline" data-testid="timeline">
            {timeline?.entries.map((e) => (
              <li key={`${e.at}-${e.kind}-${e.text}`} className={`tl-${e.kind}`}>
                <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at)}</time>{' '}
                <span className="tl-kind">{i18n.term('timelineKind', e.kind)}</span> {e.text}
                {e.amountFen === undefined ? null : ` ${formatFen(e.amountFen)}`}
              </li>
            ))}
          </ol>
        </>
      )}
    </Page>
  );
}
