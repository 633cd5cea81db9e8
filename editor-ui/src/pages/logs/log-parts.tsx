// Pieces the logs views share: the filters as they live in the address, the attempts table, the
// outcome badge and how durations, sizes and times read.
import type { LogSummary } from "../../api/types";
import { href, navigate } from "../../router";
import type { Role } from "../../session";
import { formatTime, timeAgo } from "../../ui/format";
import "./logs.css";
import { OutcomeBadge } from "../../ui/outcome-badge";

export const FILTER_KEYS = [
  "hookId",
  "kind",
  "status",
  "outcome",
  "eventType",
  "eventId",
  "since",
  "until",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The list's and the tail's filters, exactly as the API takes them. */
export interface LogFilters {
  hookId?: string;
  kind?: "callback" | "function";
  status?: "succeeded" | "failed";
  outcome?: string;
  eventType?: string;
  eventId?: string;
  since?: string;
  until?: string;
}

/** Every outcome the service records: "success", and the failures of callbacks and of functions. */
export const OUTCOMES: { value: string; label: string }[] = [
  { value: "success", label: "success" },
  { value: "http_error", label: "http_error (non-2xx answer)" },
  { value: "timeout", label: "timeout" },
  { value: "network_error", label: "network_error" },
  { value: "blocked", label: "blocked (egress guard)" },
  { value: "gone", label: "gone (410)" },
  { value: "error", label: "error (function threw)" },
  { value: "cpu_limit", label: "cpu_limit" },
  { value: "memory_limit", label: "memory_limit" },
  { value: "crashed", label: "crashed" },
];

/** Reads the filters out of the address; unknown keys and impossible values are left out. */
export function filtersFrom(query: URLSearchParams): LogFilters {
  const filters: LogFilters = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key)?.trim();
    if (!value) continue;
    if (key === "kind") {
      const kind = kindFilter(value);
      if (kind) filters.kind = kind;
    } else if (key === "status") {
      const status = statusFilter(value);
      if (status) filters.status = status;
    } else {
      filters[key] = value;
    }
  }
  return filters;
}

/** The kind filter a field or the address holds; anything else (or "") is no filter. */
export function kindFilter(value: string): LogFilters["kind"] {
  return value === "callback" || value === "function" ? value : undefined;
}

export function statusFilter(value: string): LogFilters["status"] {
  return value === "succeeded" || value === "failed" ? value : undefined;
}

export function filtersQuery(filters: LogFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params.toString();
}

/** The logs view with these filters, e.g. every attempt of one event. */
export function logsHref(ws: string, filters: LogFilters = {}): string {
  const query = filtersQuery(filters);
  return query ? `${href(ws, "logs")}?${query}` : href(ws, "logs");
}

/** Retry and replay are for admins and operators (and the root key), never ingest keys. */
export function canOperate(role: Role): boolean {
  return role === "root" || role === "admin" || role === "operator";
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** A datetime-local value (the browser's local time) for an instant, and back. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** "HTTP 500" for callbacks (— when nothing answered), "12 ms CPU" for functions. */
export function resultCell(log: LogSummary): string {
  if (log.kind === "callback")
    return log.responseStatus === null ? "no answer" : `HTTP ${log.responseStatus}`;
  return log.cpuMs === null ? "—" : `${formatDuration(log.cpuMs)} CPU`;
}

/** Newest first, as the API lists them (created_at desc, id desc). */
export function newestFirst(a: LogSummary, b: LogSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/**
 * The attempts table. Each row's time is a link to the attempt (keyboard users tab to it); a click
 * anywhere else on the row opens it too. `fresh` marks rows the live tail just brought in.
 */
export function LogTable(props: {
  ws: string;
  rows: LogSummary[];
  caption: string;
  fresh?: ReadonlySet<string>;
  showHook?: boolean;
}) {
  const showHook = props.showHook ?? true;
  return (
    <div class="log-table-wrap">
      <table class="log-table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {showHook && <th scope="col">Hook</th>}
            <th scope="col">Kind</th>
            <th scope="col">Event type</th>
            <th scope="col">Trigger</th>
            <th scope="col">Attempt</th>
            <th scope="col">Outcome</th>
            <th scope="col">HTTP / CPU</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((log) => {
            const to = href(props.ws, "logs", log.id);
            return (
              <tr
                key={log.id}
                class={`clickable${props.fresh?.has(log.id) ? " fresh" : ""}`}
                onClick={(e) => {
                  if (!(e.target instanceof Element && e.target.closest("a, button"))) navigate(to);
                }}
              >
                <td class="nowrap">
                  <a href={to} title={`${formatTime(log.createdAt)} · ${log.id}`}>
                    {formatTime(log.createdAt)}
                  </a>
                  <div class="muted small">{timeAgo(log.createdAt)}</div>
                </td>
                {showHook && <td>{log.hookName ?? <span class="muted">{log.hookId} (deleted)</span>}</td>}
                <td>{log.kind}</td>
                <td>{log.eventType ?? <span class="muted">—</span>}</td>
                <td>{log.trigger}</td>
                <td class="num">#{log.attempt}</td>
                <td>
                  <OutcomeBadge outcome={log.outcome} />
                </td>
                <td class="nowrap">{resultCell(log)}</td>
                <td class="num nowrap">{formatDuration(log.durationMs)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
