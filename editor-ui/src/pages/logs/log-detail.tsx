// One attempt in full: what ran and how it ended; for callbacks the request sent and the response
// received, for functions the result, console lines and error. An attempt of a delivery can be
// retried from here (see delivery-panel.tsx), and the page follows the retry until its new attempt
// is recorded.
import { ok } from "../../api/client";
import type { LogRecord } from "../../api/types";
import { href } from "../../router";
import { useSession } from "../../session-context";
import { useLoad } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { formatTime, timeAgo } from "../../ui/format";
import { Loading, Page } from "../../ui/layout";
import { OutcomeBadge } from "../../ui/outcome-badge";
import { CallbackDetail } from "./callback-detail";
import { DeliveryPanel } from "./delivery-panel";
import { FunctionDetail } from "./function-detail";
import { formatDuration, logsHref, resultCell } from "./log-parts";

export function LogDetailPage({ ws, id }: { ws: string; id: string }) {
  const { client } = useSession();
  const log = useLoad(
    () => ok(client.v1.workspaces[":ws"].logs[":id"].$get({ param: { ws, id } })),
    [client, ws, id],
  );

  if (!log.data) {
    return (
      <Page title="Attempt" actions={<BackToLogs ws={ws} />}>
        {log.error ? <ErrorNotice error={log.error} /> : <Loading what="the attempt" />}
      </Page>
    );
  }
  const rec = log.data;
  return (
    <Page
      title={`Attempt #${rec.attempt} · ${rec.hookName ?? rec.hookId}`}
      actions={
        <>
          <OutcomeBadge outcome={rec.outcome} />
          <BackToLogs ws={ws} />
        </>
      }
    >
      <Summary ws={ws} rec={rec} />
      {rec.deliveryId && <DeliveryPanel key={rec.deliveryId} ws={ws} rec={rec} deliveryId={rec.deliveryId} />}
      {rec.kind === "callback" ? <CallbackDetail rec={rec} /> : <FunctionDetail rec={rec} />}
    </Page>
  );
}

function BackToLogs({ ws }: { ws: string }) {
  return (
    <a class="button secondary" href={href(ws, "logs")}>
      All logs
    </a>
  );
}

function Summary({ ws, rec }: { ws: string; rec: LogRecord }) {
  const finished = new Date(new Date(rec.startedAt).getTime() + rec.durationMs).toISOString();
  return (
    <section class="card" aria-labelledby="attempt-summary">
      <h2 id="attempt-summary">Summary</h2>
      <dl class="facts">
        <dt>Hook</dt>
        <dd>
          <a href={href(ws, "hooks", rec.hookId)}>{rec.hookName ?? rec.hookId}</a>{" "}
          <span class="muted">({rec.kind})</span>
        </dd>
        <dt>Outcome</dt>
        <dd>
          <OutcomeBadge outcome={rec.outcome} /> <span class="muted">{resultCell(rec)}</span>
        </dd>
        <dt>Trigger</dt>
        <dd>{rec.trigger}</dd>
        <dt>Attempt</dt>
        <dd>#{rec.attempt}</dd>
        <dt>Event</dt>
        <dd>
          {rec.eventId ? (
            <>
              <a
                href={logsHref(ws, { eventId: rec.eventId })}
                title="Every attempt for this event"
                class="mono"
              >
                {rec.eventId}
              </a>{" "}
              {rec.eventType && <span class="badge">{rec.eventType}</span>}
            </>
          ) : (
            <span class="muted">none ({rec.trigger} run)</span>
          )}
        </dd>
        <dt>Delivery</dt>
        <dd class="mono">{rec.deliveryId ?? <span class="muted">none</span>}</dd>
        <dt>Started</dt>
        <dd>
          {formatTime(rec.startedAt)} <span class="muted">({timeAgo(rec.startedAt)})</span>
        </dd>
        <dt>Finished</dt>
        <dd>{formatTime(finished)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(rec.durationMs)}</dd>
        <dt>Attempt id</dt>
        <dd class="mono">{rec.id}</dd>
      </dl>
    </section>
  );
}
