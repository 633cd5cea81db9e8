// The attempts of one filter set as the logs view holds them: the first page, further pages by
// cursor, and attempts the live tail brings in, merged by id and kept newest first.
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
}

/** The list of one filter set: first page, further pages by cursor, attempts merged in by id. */
export function useLogList(client: Client, ws: string, filters: LogFilters): LogList {
  const [rows, setRows] = useState<LogSummary[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiFailure | null>(null);
  const [tick, setTick] = useState(0);
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

  const prepend = useCallback((attempt: LogSummary) => {
    setRows((current) => merge(current, [attempt]));
    setFresh((current) => new Set(current).add(attempt.id));
  }, []);

  const refreshHead = useCallback(() => {
    const mine = generation.current;
    fetchPage().then(
      (page) => {
        if (mine !== generation.current) return;
        const oldest = page.data.at(-1);
        const newest = shown.current[0];
        // A full page that does not reach what is shown would leave a hole: start over from it.
        if (page.nextCursor && oldest && newest && newestFirst(oldest, newest) < 0) {
          setRows(page.data);
          setCursor(page.nextCursor);
        } else {
          setRows((current) => merge(current, page.data));
        }
        setError(null);
      },
      (err: unknown) => {
        if (mine === generation.current) setError(asFailure(err));
      },
    );
  }, [fetchPage]);

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
