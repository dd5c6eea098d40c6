import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// ECharts' own registry of the parts this bundle uses (idempotent; keeps the bundle to what is drawn).
use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/**
 * An ECharts chart. It is an image to assistive technology (`role="img"` with a label); the page shows the same
 * figures as text or a table beside it.
 */
export function EChart(props: {
  readonly option: EChartsCoreOption;
  readonly label: string;
  readonly height?: number;
  readonly testId?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (element.current === null) return;
    const chart = init(element.current, undefined, { renderer: 'svg' });
    chart.setOption(props.option);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [props.option]);
  return (
    <div
      ref={element}
      className="chart"
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      style={{ height: props.height ?? 280 }}
    />
  );
}
