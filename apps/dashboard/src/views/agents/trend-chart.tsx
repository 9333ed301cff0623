import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { isDarkInForce } from '../../theme';

export interface TrendSeries {
  label: string;
  values: number[];
  /** A CSS variable holding the line's colour, such as `--chart-1`. */
  colorVariable: string;
}

/** A uPlot line chart of series over time (seconds since the epoch), sized to its box. */
export function TrendChart({
  title,
  times,
  series,
}: {
  title: string;
  times: number[];
  series: TrendSeries[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const isDarkTheme = isDarkInForce.value;
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const style = getComputedStyle(document.documentElement);
    const color = (name: string) => style.getPropertyValue(name).trim() || '#888';
    const axis = {
      stroke: color('--text-muted'),
      grid: { stroke: color('--border') },
      ticks: { stroke: color('--border') },
    };
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        series: [
          {},
          ...series.map((one) => ({
            label: one.label,
            stroke: color(one.colorVariable),
            width: 2,
            points: { show: times.length < 40 },
          })),
        ],
        axes: [axis, axis],
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
      },
      [times, ...series.map((one) => one.values)],
      element,
    );
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(280, element.clientWidth), height: 220 }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [times, series, isDarkTheme]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div
        ref={box}
        class="chart-box"
        role="img"
        aria-label={`${title}: ${series.map((one) => one.label).join(', ')} over time`}
      />
    </figure>
  );
}
