import type { ReactNode } from 'react';
import { useApp } from '../app-context.js';
import { formatCount } from '../format/format.js';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  /** The server's sort key, when the column can be sorted. */
  readonly sort?: string;
  readonly numeric?: boolean;
}

export interface Paging {
  readonly total: number | undefined;
  readonly offset: number;
  readonly limit: number;
  readonly sort?: string;
  readonly order?: 'asc' | 'desc';
  onPage(offset: number): void;
  onSort?(sort: string, order: 'asc' | 'desc'): void;
}

/**
 * A table whose rows are cut and sorted on the server: sortable headers are buttons (aria-sort on the header
 * cell), and the pager says where in the list the page is.
 */
export function DataTable<T>(props: {
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string;
  readonly paging?: Paging;
  readonly testId?: string;
}) {
  const { i18n } = useApp();
  const { paging } = props;
  return (
    // A wide table scrolls sideways: the scrolling region must be reachable by keyboard (axe scrollable-region-focusable).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region needs a tab stop for keyboard scrolling.
    <section className="table-wrap" aria-label={props.caption} tabIndex={0}>
      <table data-testid={props.testId}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => {
              const sorted = paging?.sort !== undefined && column.sort === paging.sort;
              const ariaSort = sorted ? (paging?.order === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={ariaSort}
                  className={column.numeric ? 'num' : undefined}
                >
                  {column.sort !== undefined && paging?.onSort !== undefined ? (
                    <button
                      type="button"
                      className="sort"
                      aria-label={i18n.t('table.sortBy', { column: column.header })}
                      onClick={() =>
                        paging.onSort?.(column.sort!, sorted && paging.order === 'desc' ? 'asc' : 'desc')
                      }
                    >
                      {column.header}
                      <span aria-hidden="true">{sorted ? (paging.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length}>{i18n.t('app.empty')}</td>
            </tr>
          ) : (
            props.rows.map((row) => (
              <tr key={props.rowKey(row)}>
                {props.columns.map((column) => (
                  <td key={column.key} className={column.numeric ? 'num' : undefined}>
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {paging === undefined ? null : <Pager paging={paging} shown={props.rows.length} />}
    </section>
  );
}

function Pager(props: { readonly paging: Paging; readonly shown: number }) {
  const { i18n } = useApp();
  const { offset, limit, total } = props.paging;
  const to = offset + props.shown;
  const hasNext = total === undefined ? props.shown === limit : to < total;
  return (
    <nav className="pager" aria-label={i18n.t('table.pageSize')}>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.paging.onPage(Math.max(0, offset - limit))}
      >
        {i18n.t('table.previous')}
      </button>
      <span role="status">
        {i18n.t('table.pageOf', {
          from: props.shown === 0 ? 0 : formatCount(offset + 1),
          to: formatCount(to),
          total: total === undefined ? '…' : formatCount(total),
        })}
      </span>
      <button type="button" disabled={!hasNext} onClick={() => props.paging.onPage(offset + limit)}>
        {i18n.t('table.next')}
      </button>
    </nav>
  );
}
