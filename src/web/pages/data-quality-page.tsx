import { useId, useState } from 'react';
import type { QuarantinePage, StatusView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { formatCount } from '../format/format.js';
import { useApiData } from '../use-api-data.js';

const LIMIT = 25;

/** Loads: rows per kind, quarantined rows per file, and the quarantined rows themselves with their reasons. */
export function DataQualityPage() {
  const { api, i18n } = useApp();
  const [file, setFile] = useState('');
  const [offset, setOffset] = useState(0);
  const fileId = useId();
  const status = useApiData(() => api.get<StatusView>('/api/status'), [api]);
  const rows = useApiData(
    () =>
      api.get<QuarantinePage>('/api/quarantine', {
        file: file === '' ? undefined : file,
        offset,
        limit: LIMIT,
      }),
    [api, file, offset],
  );
  const files = status.data?.quarantine ?? [];
  // The server counts the rows it pages through; an older server does not, and the per-file counts stand in.
  const total =
    rows.data?.total ??
    (file === '' ? files.reduce((n, q) => n + q.rows, 0) : files.find((q) => q.file === file)?.rows);
  return (
    <Page title={i18n.t('dq.title')} ready={!status.loading && !rows.loading}>
      <StatusMessage loading={status.loading} error={status.error} onRetry={status.reload} />
      {status.data === undefined ? null : (
        <div className="two-columns">
          <DataTable
            caption={i18n.t('dq.rows')}
            rows={Object.entries(status.data.rows)}
            rowKey={([kind]) => kind}
            columns={[
              { key: 'kind', header: i18n.t('dq.kind'), render: ([kind]) => i18n.term('kind', kind) },
              { key: 'n', header: i18n.t('dq.count'), numeric: true, render: ([, n]) => formatCount(n) },
            ]}
          />
          <div>
            <DataTable
              caption={i18n.t('dq.perFile')}
              rows={files}
              rowKey={(q) => q.file}
              columns={[
                { key: 'file', header: i18n.t('dq.file'), render: (q) => q.file },
                { key: 'kind', header: i18n.t('dq.kind'), render: (q) => i18n.term('kind', q.kind) },
                { key: 'n', header: i18n.t('dq.count'), numeric: true, render: (q) => formatCount(q.rows) },
              ]}
            />
            <p>{i18n.t('dq.flags', { count: formatCount(status.data.dataQualityFlags) })}</p>
          </div>
        </div>
      )}
      <h2>{i18n.t('dq.quarantine')}</h2>
      <div className="filters">
        <label htmlFor={fileId}>{i18n.t('dq.file')}</label>
        <select
          id={fileId}
          value={file}
          onChange={(e) => {
            setFile(e.target.value);
            setOffset(0);
          }}
        >
          <option value="">{i18n.t('cases.all')}</option>
          {files.map((q) => (
            <option key={q.file} value={q.file}>
              {q.file}
            </option>
          ))}
        </select>
      </div>
      <StatusMessage loading={rows.loading} error={rows.error} onRetry={rows.reload} />
      {total === undefined || rows.data === undefined ? null : (
        <p data-testid="quarantine-total" aria-live="polite">
          {i18n.t('dq.totalRows', { count: formatCount(total) })}
        </p>
      )}
      <DataTable
        caption={i18n.t('dq.quarantine')}
        testId="quarantine-table"
        rows={rows.data?.items ?? []}
        rowKey={(q) => `${q.file}:${q.line}:${q.column ?? ''}:${q.code}`}
        paging={{ offset, limit: LIMIT, total, onPage: setOffset }}
        columns={[
          { key: 'file', header: i18n.t('dq.file'), render: (q) => q.file },
          { key: 'line', header: i18n.t('dq.line'), numeric: true, render: (q) => q.line },
          { key: 'column', header: i18n.t('dq.column'), render: (q) => q.column ?? '' },
          { key: 'code', header: i18n.t('dq.code'), render: (q) => <code>{q.code}</code> },
          { key: 'reason', header: i18n.t('dq.reason'), render: (q) => q.reason },
          { key: 'raw', header: i18n.t('dq.raw'), render: (q) => <code className="raw">{q.raw}</code> },
        ]}
      />
    </Page>
  );
}
