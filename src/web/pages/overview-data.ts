import type { ApiClient } from '../api/api-client.js';
import type { AlertView, CaseSummary, OverviewView, Page, StatusView, Suspect } from '../api/types.js';
import { monthOf, monthRange } from '../format/format.js';

export interface MonthPoint {
  readonly month: string;
  readonly deaths: number;
  readonly overpaidFen: number;
  readonly alerts: number;
  readonly recoveredFen: number;
}

export interface OverviewData {
  readonly status: StatusView;
  readonly suspects: number;
  readonly confirmed: number | undefined;
  readonly overpaidFen: number | undefined;
  /** Overpayment set aside, not claimed (contested or unsupported findings); when the server says. */
  readonly overpaidSetAsideFen?: number;
  readonly recoveredFen: number | undefined;
  readonly alerts: number;
  /** Whether `alerts` counts open alerts only (the server's overview) or every alert (the fallback). */
  readonly alertsOpenOnly: boolean;
  readonly months: readonly MonthPoint[];
  /** When the trend was computed in the browser from the largest findings only: how many of how many. */
  readonly sampled: { readonly count: number; readonly total: number } | undefined;
}

/** The most findings the browser adds up itself when the server has no `/api/overview`. */
const MAX_SUMMED = 2000;
const PAGE = 500;

/**
 * Suspects and alerts counted by month (findings by month of death, alerts by month last seen), with empty months
 * filled in.
 */
export function monthlyTrend(suspects: readonly Suspect[], alerts: readonly AlertView[]): MonthPoint[] {
  const points = new Map<string, { deaths: number; overpaidFen: number; alerts: number }>();
  const at = (month: string) => {
    let p = points.get(month);
    if (p === undefined) {
      p = { deaths: 0, overpaidFen: 0, alerts: 0 };
      points.set(month, p);
    }
    return p;
  };
  for (const s of suspects) {
    const p = at(monthOf(s.deathDate));
    p.deaths += 1;
    p.overpaidFen += s.overpaidFen;
  }
  for (const a of alerts) at(monthOf(a.lastTs)).alerts += 1;
  const months = [...points.keys()].sort();
  if (months.length === 0) return [];
  return monthRange(months[0]!, months[months.length - 1]!).map((month) => {
    const p = points.get(month);
    return {
      month,
      deaths: p?.deaths ?? 0,
      overpaidFen: p?.overpaidFen ?? 0,
      alerts: p?.alerts ?? 0,
      recoveredFen: 0,
    };
  });
}

async function allPages<T>(
  api: ApiClient,
  path: string,
  query: Readonly<Record<string, string | number>>,
  max: number,
) {
  const items: T[] = [];
  let total = 0;
  for (let offset = 0; offset < max; offset += PAGE) {
    const page = await api.get<Page<T>>(path, { ...query, offset, limit: PAGE });
    items.push(...page.items);
    total = page.total;
    if (offset + PAGE >= page.total) break;
  }
  return { items, total };
}

/** Everything the overview shows: from `/api/overview` when the server has it, else assembled from the lists. */
export async function loadOverview(api: ApiClient): Promise<OverviewData> {
  const [status, overview] = await Promise.all([
    api.get<StatusView>('/api/status'),
    api.getOptional<OverviewView>('/api/overview'),
  ]);
  if (overview !== undefined) {
    const confirmed = await api.get<Page<Suspect>>('/api/suspects', { limit: 1, decision: 'confirmed' });
    return {
      status,
      suspects: overview.suspects,
      confirmed: confirmed.total,
      overpaidFen: overview.overpaidFen,
      ...(overview.overpaidSetAsideFen === undefined
        ? {}
        : { overpaidSetAsideFen: overview.overpaidSetAsideFen }),
      recoveredFen: overview.recoveredFen,
      alerts: overview.openAlerts,
      alertsOpenOnly: true,
      months: overview.months,
      sampled: undefined,
    };
  }
  const [suspects, confirmed, alerts, cases] = await Promise.all([
    allPages<Suspect>(api, '/api/suspects', { sort: 'overpaid', order: 'desc' }, MAX_SUMMED),
    api.get<Page<Suspect>>('/api/suspects', { limit: 1, decision: 'confirmed' }),
    allPages<AlertView>(api, '/api/alerts', { sort: 'last_ts', order: 'desc' }, MAX_SUMMED),
    allPages<CaseSummary>(api, '/api/cases', { sort: 'amount_recovered', order: 'desc' }, MAX_SUMMED),
  ]);
  const complete = suspects.items.length === suspects.total;
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  return {
    status,
    suspects: suspects.total,
    confirmed: confirmed.total,
    overpaidFen: complete ? sum(suspects.items.map((s) => s.overpaidFen)) : undefined,
    recoveredFen:
      cases.items.length === cases.total ? sum(cases.items.map((c) => c.amountRecoveredFen)) : undefined,
    alerts: alerts.total,
    alertsOpenOnly: false,
    months: monthlyTrend(suspects.items, alerts.items),
    sampled:
      complete && alerts.items.length === alerts.total
        ? undefined
        : { count: suspects.items.length, total: suspects.total },
  };
}
