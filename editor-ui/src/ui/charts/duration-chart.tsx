// p50 and p95 duration per time bucket as two lines (a gap where a bucket has no attempts), each
// point's title naming its time and value.
import type { Activity, ActivityBucket } from "../../api/types";
import { CHART, ChartFrame, NoAttempts, PLOT_WIDTH, yOf } from "./chart-frame";
import { bucketLabel, bucketWords, formatMs, niceMax } from "./chart-scale";

type Line = "p50" | "p95";

export function DurationChart({ activity, span }: { activity: Activity; span: string }) {
  if (activity.total === 0) return <NoAttempts />;
  const { buckets, bucketSeconds } = activity;
  const values = (line: Line) =>
    buckets.map((b) => b.durationMs[line]).filter((v): v is number => v !== null);
  const p50s = values("p50");
  const p95s = values("p95");
  const max = niceMax(Math.max(...p95s, ...p50s));
  const step = PLOT_WIDTH / buckets.length;
  const xOf = (i: number) => CHART.left + (i + 0.5) * step;
  const label =
    `Duration per ${bucketWords(bucketSeconds)} over the last ${span}: p50 from ${formatMs(Math.min(...p50s))} ` +
    `to ${formatMs(Math.max(...p50s))}, p95 up to ${formatMs(Math.max(...p95s))}.`;
  return (
    <figure class="chart-figure">
      <ChartFrame
        label={label}
        testId="duration-chart"
        buckets={buckets}
        bucketSeconds={bucketSeconds}
        max={max}
        formatY={formatMs}
      >
        {(["p95", "p50"] as const).map((line) => (
          <g key={line} class={`chart-line line-${line}`} data-line={line}>
            {segments(buckets, line).map((segment) => (
              <polyline
                key={segment[0]}
                points={segment
                  .map((i) => `${xOf(i)},${yOf(buckets[i]?.durationMs[line] ?? 0, max)}`)
                  .join(" ")}
              />
            ))}
            {buckets.map((bucket, i) => {
              const value = bucket.durationMs[line];
              if (value === null) return null;
              return (
                <circle key={bucket.start} cx={xOf(i)} cy={yOf(value, max)} r="2.5">
                  <title>{`${bucketLabel(bucket.start, bucketSeconds)}: ${line} ${formatMs(value)}`}</title>
                </circle>
              );
            })}
          </g>
        ))}
      </ChartFrame>
      <figcaption>
        <ul class="chart-legend">
          {(["p50", "p95"] as const).map((line) => (
            <li key={line}>
              <svg class="chart-swatch" viewBox="0 0 10 10" aria-hidden="true">
                <rect class={`series-${line}`} width="10" height="10" />
              </svg>
              {line}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** Runs of consecutive buckets that have a value: each is one polyline. */
function segments(buckets: ActivityBucket[], line: Line): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  buckets.forEach((b, i) => {
    if (b.durationMs[line] === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push(i);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}
