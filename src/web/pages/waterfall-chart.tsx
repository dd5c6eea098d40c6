import { useMemo } from 'react';
import type { MatchTerm } from '../api/types.js';
import { useApp } from '../app-context.js';
import { EChart } from '../components/echart.js';
import { formatWeight } from '../format/format.js';
import { barSpan, waterfall } from './waterfall.js';

const COLOURS = { prior: '#7f8c8d', up: '#1e8449', down: '#c0392b', total: '#1f6fb2' } as const;

/** The match explained: each field's level and weight as a waterfall from the prior to the total, and as a table. */
export function WaterfallChart(props: {
  readonly priorWeight: number;
  readonly terms: readonly MatchTerm[];
}) {
  const { i18n } = useApp();
  const bars = useMemo(
    () =>
      waterfall(
        props.priorWeight,
        // The field and its agreement level in the page's language (the API names them in English).
        props.terms.map((t) => ({
          ...t,
          comparison: i18n.term('comparison', t.comparison),
          label: i18n.term('matchLevel', t.label),
        })),
        {
          prior: i18n.t('suspect.prior'),
          total: i18n.t('suspect.total'),
        },
      ),
    [props.priorWeight, props.terms, i18n],
  );
  // Stacked bars start from zero, so every bar is lifted by the lowest point and the axis labels put it back.
  const option = useMemo(() => {
    const lowest = Math.min(0, ...bars.map((b) => barSpan(b)[0]));
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 90 },
      tooltip: { show: false },
      xAxis: {
        type: 'category',
        data: bars.map((b) => b.label),
        axisLabel: { interval: 0, rotate: 30, fontSize: 10 },
      },
      yAxis: {
        type: 'value',
        name: i18n.t('suspect.weight'),
        axisLabel: { formatter: (v: number) => (v + lowest).toFixed(0) },
      },
      series: [
        {
          type: 'bar',
          stack: 'w',
          silent: true,
          itemStyle: { color: 'transparent' },
          data: bars.map((b) => barSpan(b)[0] - lowest),
        },
        {
          type: 'bar',
          stack: 'w',
          name: i18n.t('suspect.weight'),
          label: {
            show: true,
            position: 'top',
            formatter: (p: { dataIndex: number }) => formatWeight(bars[p.dataIndex]?.value ?? 0),
          },
          data: bars.map((b) => {
            const [low, high] = barSpan(b);
            return { value: high - low, itemStyle: { color: COLOURS[b.kind] } };
          }),
        },
      ],
    };
  }, [bars, i18n]);
  return (
    <figure className="waterfall">
      <EChart option={option} label={i18n.t('suspect.waterfall')} testId="waterfall" height={320} />
      <figcaption className="help">{i18n.t('suspect.waterfallHelp')}</figcaption>
      <table className="compact">
        <caption className="visually-hidden">{i18n.t('suspect.waterfall')}</caption>
        <thead>
          <tr>
            <th scope="col">{i18n.t('rules.id')}</th>
            <th scope="col" className="num">
              {i18n.t('suspect.weight')}
            </th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <td>{b.label}</td>
              <td className="num">{formatWeight(b.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
