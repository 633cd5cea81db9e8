// A hook's or the workspace's activity over a window: attempts by outcome, then p50/p95 duration.
// Shared by the hook's Activity tab and the workspace overview.
import type { Activity } from "../../api/types";
import { WINDOW_LABELS } from "../../ui/charts/chart-scale";
import { DurationChart } from "../../ui/charts/duration-chart";
import { OutcomeChart } from "../../ui/charts/outcome-chart";
import "../../ui/charts/charts.css";

export function ActivityCharts({ activity, stale }: { activity: Activity; stale: boolean }) {
  const span = WINDOW_LABELS[activity.window];
  return (
    <div class={`activity-charts${stale ? " stale" : ""}`} aria-busy={stale}>
      <h3>Attempts by outcome</h3>
      <OutcomeChart activity={activity} span={span} />
      <h3>Duration (p50 and p95)</h3>
      <DurationChart activity={activity} span={span} />
    </div>
  );
}
