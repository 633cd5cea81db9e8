// The execution log: every attempt of the workspace, newest first, with filters kept in the address
// (so a filtered view can be linked and survives a reload), "Load more" by cursor, and a live tail
// that brings new attempts in as they are recorded (held back, and counted, while the pointer or the
// focus is on the list, so a row never moves under a click).
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { useSession } from "../../session-context";
import { ErrorNotice } from "../../ui/error-notice";
import { useHoldWhilePointed } from "../../ui/hold-while-pointed";
import { EmptyState, Loading, Page, Switch } from "../../ui/layout";
import { type TailStatus, tailUrl, useLiveTail } from "./live-tail";
import { Filters } from "./log-filters";
import { filtersFrom, filtersQuery, LogTable, logsHref } from "./log-parts";
import { useLogList } from "./use-log-list";
import { WaitingRows } from "./waiting-rows";

export function LogsPage({ ws, query }: { ws: string; query: URLSearchParams }) {
  const { client, key } = useSession();
  const queryString = filtersQuery(filtersFrom(query));
  // One object per distinct filter set, so effects below rerun only when the filters change.
  const filters = useMemo(() => filtersFrom(new URLSearchParams(queryString)), [queryString]);
  const hold = useHoldWhilePointed();
  const list = useLogList(client, ws, filters, hold.held);
  const [live, setLive] = useState(false);
  const url = useMemo(() => tailUrl(client, ws, filters), [client, ws, filters]);
  const tail = useLiveTail(live, url, key, list.prepend, list.refreshHead);
  const filtered = queryString !== "";

  return (
    <Page
      title="Logs"
      actions={
        <>
          <TailIndicator status={tail} />
          <span class="tail-switch">
            <span aria-hidden="true">Live tail</span>
            <Switch label="Live tail" checked={live} onChange={setLive} />
          </span>
          <button type="button" class="secondary" onClick={list.reload} disabled={list.loading}>
            Refresh
          </button>
        </>
      }
    >
      <Filters ws={ws} filters={filters} />
      {tail.state === "failed" && <ErrorNotice error={tail.error} onDismiss={() => setLive(false)} />}
      {live && filters.until && new Date(filters.until).getTime() < Date.now() && (
        <div class="notice info" role="status">
          The “until” filter is in the past, so the live tail will not show new attempts.
        </div>
      )}
      <ErrorNotice error={list.error} />
      {list.loading && list.rows.length === 0 ? (
        <Loading what="attempts" />
      ) : list.rows.length === 0 && !list.error ? (
        filtered ? (
          <EmptyState title="No attempts match these filters">
            <p>
              Try a wider time range or fewer filters{live ? ", or wait: the live tail is on" : ""}.{" "}
              <a href={logsHref(ws)}>Clear all filters</a>
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="No attempts recorded yet">
            <p>
              Every run of a hook is logged here: each delivery attempt of an event to a callback URL or a
              function (retries and replays included), and each direct invoke of a function (
              <code>
                POST /v1/workspaces/{ws}/hooks/{"{id}"}/invoke
              </code>
              ). Test runs from a hook's page are not logged.
            </p>
            <p>
              Post an event of a type a hook subscribes to (<code>POST /v1/workspaces/{ws}/events</code>) and
              its attempts appear here. Turn on the live tail to watch them arrive.
            </p>
          </EmptyState>
        )
      ) : (
        list.rows.length > 0 && (
          <div class="held-list" {...hold.handlers}>
            <WaitingRows count={list.waiting} onShow={list.showWaiting} />
            <LogTable
              ws={ws}
              rows={list.rows}
              fresh={list.fresh}
              caption={filtered ? "Attempts matching the filters, newest first" : "Attempts, newest first"}
            />
          </div>
        )
      )}
      <ErrorNotice error={list.moreError} />
      {list.cursor && (
        <div class="load-more">
          <button type="button" class="secondary" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </Page>
  );
}

function TailIndicator({ status }: { status: TailStatus }) {
  let content: ComponentChildren = null;
  if (status.state === "connecting") content = <span class="badge">Connecting…</span>;
  if (status.state === "live")
    content = (
      <span class="badge ok live-badge">
        <span class="live-dot" aria-hidden="true" />
        Live
      </span>
    );
  if (status.state === "reconnecting")
    content = (
      <span class="badge warn" title={status.reason}>
        Reconnecting in {Math.max(1, Math.round(status.inMs / 1000))} s…
      </span>
    );
  if (status.state === "failed") content = <span class="badge bad">Live tail stopped</span>;
  return (
    <span role="status" aria-live="polite" class="tail-status">
      {content}
    </span>
  );
}
