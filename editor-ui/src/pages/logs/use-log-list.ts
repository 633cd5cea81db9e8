// The attempts of one filter set as the logs view holds them: the first page, further pages by
// cursor, and attempts the live tail brings in, merged by id and kept newest first. While the list is
// held (the user is pointing at it), new attempts wait aside and are counted, so no row moves.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type ApiFailure, asFailure, type Client, ok } from "../../api/client";
import type { LogPage, LogSummary } from "../../api/types";
import { type LogFilters, newestFirst } from "./log-parts";

const PAGE_SIZE = 50;

export interface LogList {
  rows: LogSummary[];
  /** Rows the live tail brought in, for a brief highlight. */
  fresh: ReadonlySet<string>;
  cursor: string | null;
  loading: boolean;
  error: ApiFailure | null;
  loadingMore: boolean;
  moreError: ApiFailure | null;
  reload(): void;
  loadMore(): void;
  prepend(attempt: LogSummary): void;
  /** Reads the first page again and merges it in (what a tail may have missed while it connected). */
  refreshHead(): void;
  /** New attempts held back while the list is held. */
  waiting: number;
  /** Shows the held-back attempts now (they are also shown once the hold ends). */
  showWaiting(): void;
}

/** New rows held back, and the cursor to start over from when they do not reach the shown rows. */
interface Held {
  rows: LogSummary[];
  restartCursor: string | null;
}

const NOTHING_HELD: Held = { rows: [], restartCursor: null };

/** The list of one filter set: first page, further pages by cursor, attempts merged in by id. */
export function useLogList(client: Client, ws: string, filters: LogFilters, held = false): LogList {
  const [rows, setRows] = useState<LogSummary[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiFailure | null>(null);
  const [tick, setTick] = useState(0);
  // What waits aside lives in a ref (the showing reads and clears it at once); its count is state.
  const aside = useRef<Held>(NOTHING_HELD);
  const [waiting, setWaiting] = useState(0);
  const holding = useRef(held);
  holding.current = held;
  // Answers for an older filter set (or an older reload) are dropped.
  const generation = useRef(0);
  const shown = useRef(rows);
  shown.current = rows;

  const fetchPage = useCallback(
    (after?: string): Promise<LogPage> =>
      ok(
        client.v1.workspaces[":ws"].logs.$get({
          param: { ws },
          query: { ...filters, limit: String(PAGE_SIZE), cursor: after },
        }),
      ),
    [client, ws, filters],
  );

  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    setMoreError(null);
    setRows([]);
    aside.current = NOTHING_HELD;
    setWaiting(0);
    setFresh(new Set());
    setCursor(null);
    fetchPage().then(
      (page) => {
        if (mine !== generation.current) return;
        setRows((current) => merge(current, page.data));
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(asFailure(err));
        setLoading(false);
      },
    );
  }, [fetchPage, tick]);

  const loadMore = useCallback(() => {
    if (!cursor) return;
    const mine = generation.current;
    setLoadingMore(true);
    setMoreError(null);
    fetchPage(cursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setRows((current) => merge(current, page.data));
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setMoreError(asFailure(err));
        setLoadingMore(false);
      },
    );
  }, [cursor, fetchPage]);

  /** Adds rows: at once, or aside while held (rows already shown are updated where they are). */
  const bringIn = useCallback((incoming: LogSummary[], restartCursor: string | null = null) => {
    if (!holding.current) {
      if (restartCursor) {
        setRows(incoming);
        setCursor(restartCursor);
      } else {
        setRows((current) => merge(current, incoming));
      }
      return;
    }
    const shownIds = new Set(shown.current.map((r) => r.id));
    setRows((current) => update(current, incoming));
    const held = aside.current;
    aside.current = {
      rows: merge(
        held.rows,
        incoming.filter((r) => !shownIds.has(r.id)),
      ),
      restartCursor: restartCursor ?? held.restartCursor,
    };
    setWaiting(aside.current.rows.length);
  }, []);

  const showWaiting = useCallback(() => {
    const held = aside.current;
    if (held.rows.length === 0) return;
    aside.current = NOTHING_HELD;
    setWaiting(0);
    if (held.restartCursor) {
      setRows(held.rows);
      setCursor(held.restartCursor);
    } else {
      setRows((rows) => merge(rows, held.rows));
    }
    setFresh((fresh) => new Set([...fresh, ...held.rows.map((r) => r.id)]));
  }, []);

  // The hold ended (the pointer left the list): what waited is shown.
  useEffect(() => {
    if (!held) showWaiting();
  }, [held, showWaiting]);

  const prepend = useCallback(
    (attempt: LogSummary) => {
      bringIn([attempt]);
      if (!holding.current) setFresh((current) => new Set(current).add(attempt.id));
    },
    [bringIn],
  );

  const refreshHead = useCallback(() => {
    const mine = generation.current;
    fetchPage().then(
      (page) => {
        if (mine !== generation.current) return;
        const oldest = page.data.at(-1);
        const newest = shown.current[0];
        // A full page that does not reach what is shown would leave a hole: start over from it.
        const hole = Boolean(page.nextCursor && oldest && newest && newestFirst(oldest, newest) < 0);
        bringIn(page.data, hole ? page.nextCursor : null);
        setError(null);
      },
      (err: unknown) => {
        if (mine === generation.current) setError(asFailure(err));
      },
    );
  }, [fetchPage, bringIn]);

  return {
    rows,
    fresh,
    cursor,
    loading,
    error,
    loadingMore,
    moreError,
    reload: useCallback(() => setTick((t) => t + 1), []),
    loadMore,
    prepend,
    refreshHead,
    waiting,
    showWaiting,
  };
}

function merge(current: LogSummary[], incoming: LogSummary[]): LogSummary[] {
  const byId = new Map(current.map((r) => [r.id, r]));
  let changed = false;
  for (const row of incoming) {
    if (!byId.has(row.id)) changed = true;
    byId.set(row.id, row);
  }
  if (!changed && incoming.length === 0) return current;
  return [...byId.values()].sort(newestFirst);
}

/** The rows with the incoming versions of the ones already there; nothing added, nothing moved. */
function update(current: LogSummary[], incoming: LogSummary[]): LogSummary[] {
  const byId = new Map(incoming.map((r) => [r.id, r]));
  if (!current.some((r) => byId.has(r.id))) return current;
  return current.map((r) => byId.get(r.id) ?? r);
}
