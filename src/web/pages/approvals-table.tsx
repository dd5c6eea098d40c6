import { useId, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import type { Page as ApiPage, ApprovalView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { Notice, StatusMessage } from '../components/status-message.js';
import { formatTime } from '../format/format.js';
import { useApiData } from '../use-api-data.js';

/** Four-eyes approvals waiting for a second person, with approve and reject (the API refuses the requester's unit). */
export function ApprovalsTable(props: {
  readonly filter?: (a: ApprovalView) => boolean;
  readonly generation?: number;
}) {
  const { api, i18n, user } = useApp();
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | undefined>(undefined);
  const noteId = useId();
  const { data, error, loading, reload } = useApiData(
    () => api.get<ApiPage<ApprovalView>>('/api/approvals', { status: 'pending', limit: 100 }),
    [api, props.generation],
  );
  const decide = async (approval: ApprovalView, decision: 'approve' | 'reject') => {
    try {
      const decided = await api.post<ApprovalView>(
        `/api/approvals/${encodeURIComponent(approval.approvalId)}/${decision}`,
        {
          note:
            note.trim() === '' ? i18n.t(decision === 'approve' ? 'case.approved' : 'case.rejected') : note,
        },
      );
      setNotice({
        text: `${decided.approvalId}: ${i18n.term('approvalStatus', decided.status)}`,
        kind: 'ok',
      });
      reload();
    } catch (e) {
      setNotice({ text: e instanceof ApiError ? e.message : String(e), kind: 'error' });
    }
  };
  const rows = (data?.items ?? []).filter(props.filter ?? (() => true));
  const canApprove = user?.role === 'supervisor';
  const canReject = canApprove || user?.role === 'investigator';
  return (
    <div data-testid="approvals">
      <StatusMessage loading={loading} error={error} />
      {canReject ? (
        <div className="filters">
          <label htmlFor={noteId}>{i18n.t('case.decisionNote')}</label>
          <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
      ) : null}
      <DataTable
        caption={i18n.t('cases.approvals')}
        rows={rows}
        rowKey={(a) => a.approvalId}
        columns={[
          { key: 'id', header: 'ID', render: (a) => a.approvalId },
          {
            key: 'action',
            header: i18n.t('approval.action'),
            render: (a) => i18n.term('approval', a.action),
          },
          { key: 'target', header: i18n.t('approval.target'), render: (a) => a.target },
          { key: 'reason', header: i18n.t('case.reason'), render: (a) => a.reason },
          {
            key: 'by',
            header: i18n.t('approval.requestedBy'),
            render: (a) =>
              `${a.requestedBy}${a.requesterUnit === undefined ? '' : ` (${a.requesterUnit})`} ${formatTime(a.requestedAt)}`,
          },
          {
            key: 'decide',
            header: i18n.t('alerts.actions'),
            render: (a) => (
              <span className="row-actions">
                {canApprove ? (
                  <button
                    type="button"
                    onClick={() => decide(a, 'approve')}
                    aria-label={`${i18n.t('case.approve')} ${a.approvalId}`}
                    data-testid="approve"
                  >
                    {i18n.t('case.approve')}
                  </button>
                ) : null}
                {canReject ? (
                  <button
                    type="button"
                    onClick={() => decide(a, 'reject')}
                    aria-label={`${i18n.t('case.reject')} ${a.approvalId}`}
                  >
                    {i18n.t('case.reject')}
                  </button>
                ) : null}
              </span>
            ),
          },
        ]}
      />
      <Notice text={notice?.text} kind={notice?.kind ?? 'ok'} />
    </div>
  );
}
