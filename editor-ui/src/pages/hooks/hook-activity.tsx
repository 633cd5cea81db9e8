// A hook's activity tab: its stats and charts (attempts by outcome, p50/p95 duration) over a chosen
// window, its latest attempts (each opening its log), and replaying a time range of events to it again.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ok } from "../../api/client";
import type { Hook, HookStats } from "../../api/types";
import { href } from "../../router";
import { useSession } from "../../session-context";
import { useAction, useLoad } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { formatTime, percent, timeAgo } from "../../ui/format";
import { EmptyState, Field, Loading } from "../../ui/layout";
import {
  canOperate,
  formatDuration,
  fromLocalInput,
  LogTable,
  logsHref,
  toLocalInput,
} from "../logs/log-parts";
import "./hook-activity.css";
import type { ChartWindow } from "../../ui/charts/chart-scale";
import { OutcomeBadge } from "../../ui/outcome-badge";
import { ActivityCharts } from "../activity/activity-charts";
import { WindowSwitch } from "../activity/window-switch";

export function HookActivity(props: { ws: string; hook: Hook }) {
  const { ws, hook } = props;
  const { client, role } = useSession();
  const [statsWindow, setStatsWindow] = useState<ChartWindow>("24h");
  const stats = useLoad(
    () =>
      ok(
        client.v1.workspaces[":ws"].hooks[":id"].stats.$get({
          param: { ws, id: hook.id },
          query: { window: statsWindow },
        }),
      ),
    [client, ws, hook.id, statsWindow],
  );
  const activity = useLoad(
    () =>
      ok(
        client.v1.workspaces[":ws"].hooks[":id"].activity.$get({
          param: { ws, id: hook.id },
          query: { window: statsWindow },
        }),
      ),
    [client, ws, hook.id, statsWindow],
  );
  const recent = useLoad(
    () =>
      ok(client.v1.workspaces[":ws"].logs.$get({ param: { ws }, query: { hookId: hook.id, limit: "20" } })),
    [client, ws, hook.id],
  );
  const refresh = () => {
    stats.reload();
    activity.reload();
    recent.reload();
  };

  return (
    <div class="activity">
      <section class="card" aria-labelledby="stats-heading">
        <div class="card-head">
          <h2 id="stats-heading">Stats</h2>
          <WindowSwitch value={statsWindow} legend="Stats window" onChange={setStatsWindow} />
        </div>
        <ErrorNotice error={stats.error} />
        {stats.data ? (
          <StatsView ws={ws} stats={stats.data} stale={stats.loading}>
            <ErrorNotice error={activity.error} />
            {activity.data ? (
              <ActivityCharts activity={activity.data} stale={activity.loading} />
            ) : (
              !activity.error && <Loading what="the charts" />
            )}
          </StatsView>
        ) : (
          !stats.error && <Loading what="the stats" />
        )}
      </section>

      <section class="card" aria-labelledby="recent-heading">
        <div class="card-head">
          <h2 id="recent-heading">Recent attempts</h2>
          <div class="actions">
            <button type="button" class="secondary" onClick={refresh} disabled={recent.loading}>
              Refresh
            </button>
            <a class="button secondary" href={logsHref(ws, { hookId: hook.id })}>
              All attempts in Logs
            </a>
          </div>
        </div>
        <ErrorNotice error={recent.error} />
        {!recent.data ? (
          !recent.error && <Loading what="the recent attempts" />
        ) : recent.data.data.length === 0 ? (
          <EmptyState title="This hook has not run yet">
            <p>
              Its attempts appear here once an event of a type it subscribes to ({hook.events.join(", ")}) is
              posted
              {hook.kind === "function"
                ? " and a version is live, or when its live version is invoked through the API"
                : ""}
              . Test runs are not logged: their result shows only where you ran them.
            </p>
          </EmptyState>
        ) : (
          <LogTable
            ws={ws}
            rows={recent.data.data}
            showHook={false}
            caption={`Latest attempts of ${hook.name}`}
          />
        )}
      </section>

      {canOperate(role) && <Replay ws={ws} hook={hook} onReplayed={refresh} />}
    </div>
  );
}

/** The window's numbers, its charts (`children`) and its last failure. */
function StatsView(props: { ws: string; stats: HookStats; stale: boolean; children: ComponentChildren }) {
  const { ws, stats, stale } = props;
  return (
    <div aria-busy={stale} class={stale ? "stale" : ""}>
      <dl class="stat-tiles">
        <div>
          <dt>Attempts</dt>
          <dd>{stats.total}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{percent(stats.successRate)}</dd>
        </div>
        <div>
          <dt>p50 duration</dt>
          <dd>{formatDuration(stats.durationMs.p50)}</dd>
        </div>
        <div>
          <dt>p95 duration</dt>
          <dd>{formatDuration(stats.durationMs.p95)}</dd>
        </div>
        {stats.filtered > 0 && (
          <div title="Events of the hook's types that its filter turned away: no delivery was made">
            <dt>Filtered out</dt>
            <dd>{stats.filtered}</dd>
          </div>
        )}
      </dl>
      <p class="muted small">
        From {formatTime(stats.from)} to {formatTime(stats.to)}.
      </p>
      {props.children}
      <h3>Last failure</h3>
      {stats.lastFailure ? (
        <p class="last-failure">
          <OutcomeBadge outcome={stats.lastFailure.outcome} /> {timeAgo(stats.lastFailure.at)} (
          {formatTime(stats.lastFailure.at)}){stats.lastFailure.error && <>: {stats.lastFailure.error}</>}{" "}
          <a href={href(ws, "logs", stats.lastFailure.attemptId)}>Open its log</a>
        </p>
      ) : (
        <p class="muted">No failure in this window.</p>
      )}
    </div>
  );
}

/** Replays a time range of the workspace's events to this hook, after a confirmation. */
function Replay({ ws, hook, onReplayed }: { ws: string; hook: Hook; onReplayed(): void }) {
  const { client } = useSession();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  const [until, setUntil] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<{ events: number; deliveries: number } | null>(null);
  const replay = useAction(async () => {
    const body = { since: fromLocalInput(since) ?? "", until: fromLocalInput(until) };
    const answer = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].replay.$post({ param: { ws, id: hook.id }, json: body }),
    );
    setOutcome(answer);
    setConfirming(false);
    onReplayed();
    return answer;
  });
  const sinceIso = fromLocalInput(since);
  const untilIso = fromLocalInput(until);
  const invalid = !sinceIso
    ? "Choose where the range starts."
    : untilIso && untilIso <= sinceIso
      ? "“Until” must be after “since”."
      : null;

  return (
    <section class="card" aria-labelledby="replay-heading">
      <h2 id="replay-heading">Replay events</h2>
      <p class="muted">
        Delivers the workspace's events of a time range that this hook subscribes to again, as new deliveries
        (the receiver sees new delivery ids; the event ids stay the same). Use it after fixing a receiver.
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setOutcome(null);
          replay.clearError();
          if (!invalid) setConfirming(true);
        }}
      >
        <Field label="Replay since">
          <input
            type="datetime-local"
            value={since}
            required
            onInput={(e) => {
              setSince(e.currentTarget.value);
              setConfirming(false);
            }}
          />
        </Field>
        <Field label="Replay until (empty for now)">
          <input
            type="datetime-local"
            value={until}
            onInput={(e) => {
              setUntil(e.currentTarget.value);
              setConfirming(false);
            }}
          />
        </Field>
        <button type="submit" class="secondary replay-submit" disabled={replay.pending || Boolean(invalid)}>
          Replay…
        </button>
      </form>
      {invalid && since !== "" && <p class="muted small">{invalid}</p>}
      {confirming && (
        <div class="notice info replay-confirm" role="alertdialog" aria-label="Confirm replay">
          <span>
            Send every matching event from {formatTime(sinceIso)} to {untilIso ? formatTime(untilIso) : "now"}{" "}
            to <strong>{hook.name}</strong> again?
          </span>
          <span class="actions">
            <button type="button" onClick={() => void replay.run()} disabled={replay.pending}>
              {replay.pending ? "Replaying…" : "Replay events"}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => setConfirming(false)}
              disabled={replay.pending}
            >
              Cancel
            </button>
          </span>
        </div>
      )}
      <ErrorNotice error={replay.error} onDismiss={replay.clearError} />
      {outcome && (
        <div class="notice success" role="status">
          <span>
            {replayMessage(outcome)} <a href={logsHref(ws, { hookId: hook.id })}>Watch them in Logs</a>
          </span>
        </div>
      )}
    </section>
  );
}

function replayMessage({ events, deliveries }: { events: number; deliveries: number }): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (events === 0) return "No event in this range is of a type this hook subscribes to; nothing was queued.";
  if (deliveries === 0)
    return `${plural(events, "event matches", "events match")}, but the hook has no enabled URL; nothing was queued.`;
  return `Queued ${plural(deliveries, "delivery", "deliveries")} for ${plural(events, "event", "events")}.`;
}
