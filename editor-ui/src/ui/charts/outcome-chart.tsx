// Attempts per time bucket as bars stacked by outcome (success at the bottom, failures above it),
// each bucket's title naming its time and counts, with a legend of the window's totals.
import type { Activity } from "../../api/types";
import { CHART, ChartFrame, NoAttempts, PLOT_WIDTH, yOf } from "./chart-frame";
import {
  attemptsWord,
  bucketLabel,
  bucketWords,
  niceMax,
  outcomeCounts,
  outcomeOrder,
  seriesClass,
} from "./chart-scale";

export function OutcomeChart({ activity, span }: { activity: Activity; span: string }) {
  if (activity.total === 0) return <NoAttempts />;
  const { buckets, bucketSeconds } = activity;
  const order = outcomeOrder(activity.byOutcome);
  const busiest = buckets.reduce((a, b) => (b.total > a.total ? b : a));
  const max = niceMax(busiest.total);
  const step = PLOT_WIDTH / buckets.length;
  const width = Math.max(step - 1, 1);
  const label =
    `Attempts per ${bucketWords(bucketSeconds)} over the last ${span}: ${attemptsWord(activity.total)} ` +
    `(${outcomeCounts(activity.byOutcome)}); the busiest ${bucketWords(bucketSeconds)}, from ` +
    `${bucketLabel(busiest.start, bucketSeconds)}, had ${busiest.total}.`;
  return (
    <figure class="chart-figure">
      <ChartFrame
        label={label}
        testId="outcome-chart"
        buckets={buckets}
        bucketSeconds={bucketSeconds}
        max={max}
        formatY={(v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))}
      >
        {buckets.map((bucket, i) => {
          if (bucket.total === 0) return null;
          const x = CHART.left + i * step;
          let base = 0;
          return (
            <g key={bucket.start} class="chart-bar">
              <title>
                {`${bucketLabel(bucket.start, bucketSeconds)}: ${attemptsWord(bucket.total)} (${outcomeCounts(bucket.byOutcome)})`}
              </title>
              {order.map((outcome) => {
                const n = bucket.byOutcome[outcome] ?? 0;
                if (n === 0) return null;
                const top = yOf(base + n, max);
                const height = yOf(base, max) - top;
                base += n;
                return (
                  <rect
                    key={outcome}
                    class={seriesClass(outcome, order)}
                    data-outcome={outcome}
                    x={x}
                    y={top}
                    width={width}
                    height={height}
                  />
                );
              })}
            </g>
          );
        })}
      </ChartFrame>
      <figcaption>
        <ul class="chart-legend">
          {order.map((outcome) => (
            <li key={outcome}>
              <svg class="chart-swatch" viewBox="0 0 10 10" aria-hidden="true">
                <rect class={seriesClass(outcome, order)} width="10" height="10" />
              </svg>
              {outcome} <strong>{activity.byOutcome[outcome]}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
