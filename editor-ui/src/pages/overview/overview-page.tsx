// The workspace overview: every hook's attempts together over a chosen window (by outcome, p50/p95
// duration) and the hooks failing most, each linking to its Activity tab. One call for the page.
import { useState } from "preact/hooks";
import { ok } from "../../api/client";
import { useSession } from "../../session-context";
import { useLoad } from "../../ui/async";
import type { ChartWindow } from "../../ui/charts/chart-scale";
import { ErrorNotice } from "../../ui/error-notice";
import { Loading, Page } from "../../ui/layout";
import { ActivityCharts } from "../activity/activity-charts";
import { WindowSwitch } from "../activity/window-switch";
import { FailingHooks } from "./failing-hooks";

export function OverviewPage({ ws }: { ws: string }) {
  const { client } = useSession();
  const [window, setWindow] = useState<ChartWindow>("24h");
  const activity = useLoad(
    () => ok(client.v1.workspaces[":ws"].activity.$get({ param: { ws }, query: { window } })),
    [client, ws, window],
  );
  return (
    <Page
      title="Overview"
      actions={
        <button type="button" class="secondary" disabled={activity.loading} onClick={activity.reload}>
          {activity.loading ? "Refreshing…" : "Refresh"}
        </button>
      }
    >
      <section class="card" aria-labelledby="overview-activity-heading">
        <div class="card-head">
          <h2 id="overview-activity-heading">All hooks</h2>
          <WindowSwitch value={window} legend="Overview window" onChange={setWindow} />
        </div>
        <ErrorNotice error={activity.error} />
        {activity.data ? (
          <ActivityCharts activity={activity.data} stale={activity.loading} />
        ) : (
          !activity.error && <Loading what="the workspace's activity" />
        )}
      </section>
      {activity.data && <FailingHooks ws={ws} hooks={activity.data.failingHooks} />}
    </Page>
  );
}
