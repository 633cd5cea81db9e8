// What every activity chart shares: the SVG canvas (a fixed viewBox scaled to the card's width), its
// y axis with a round top and a middle gridline, the x axis's first, middle and last bucket labels,
// and the empty state. Drawn as plain SVG: the charts are a few rects and lines, which a chart
// library (tens of KB, its own styling and tooltips to fit under the editor's CSP) would not improve.
import type { ComponentChildren } from "preact";
import type { ActivityBucket } from "../../api/types";
import { bucketLabel } from "./chart-scale";

export const CHART = { width: 640, height: 180, left: 52, right: 8, top: 10, bottom: 24 } as const;
export const PLOT_WIDTH = CHART.width - CHART.left - CHART.right;
export const PLOT_HEIGHT = CHART.height - CHART.top - CHART.bottom;

/** The y of a value on an axis from 0 to `max`. */
export const yOf = (value: number, max: number) => CHART.top + PLOT_HEIGHT * (1 - value / max);

export function ChartFrame(props: {
  label: string;
  testId: string;
  buckets: ActivityBucket[];
  bucketSeconds: number;
  max: number;
  formatY(value: number): string;
  children: ComponentChildren;
}) {
  const { buckets, bucketSeconds, max } = props;
  const bottom = CHART.top + PLOT_HEIGHT;
  const ticks = [0, max / 2, max];
  const labelled = [0, Math.floor(buckets.length / 2), buckets.length - 1];
  const step = PLOT_WIDTH / buckets.length;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${CHART.width} ${CHART.height}`}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
    >
      {ticks.map((t) => (
        <g key={t} class="chart-axis">
          <line x1={CHART.left} x2={CHART.width - CHART.right} y1={yOf(t, max)} y2={yOf(t, max)} />
          <text x={CHART.left - 6} y={yOf(t, max) + 4} text-anchor="end">
            {props.formatY(t)}
          </text>
        </g>
      ))}
      {labelled.map((i, n) => {
        const bucket = buckets[i];
        if (!bucket) return null;
        const anchor = n === 0 ? "start" : n === 1 ? "middle" : "end";
        const x = CHART.left + (n === 0 ? 0 : n === 1 ? (i + 0.5) * step : PLOT_WIDTH);
        return (
          <text key={i} class="chart-axis" x={x} y={bottom + 16} text-anchor={anchor}>
            {bucketLabel(bucket.start, bucketSeconds)}
          </text>
        );
      })}
      {props.children}
    </svg>
  );
}

/** In place of a chart when the window holds no attempt. */
export function NoAttempts() {
  return <p class="chart-empty">No attempts in this window</p>;
}
