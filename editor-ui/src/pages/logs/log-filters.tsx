// The logs view's filter bar: hook, kind, status and outcome apply at once; event type, event id and
// the time range when committed. The address holds the filters, so the fields follow it.
import { useEffect, useState } from "preact/hooks";
import { ok } from "../../api/client";
import { navigate } from "../../router";
import { useSession } from "../../session-context";
import { useLoad } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { Field } from "../../ui/layout";
import {
  FILTER_KEYS,
  fromLocalInput,
  kindFilter,
  type LogFilters,
  logsHref,
  OUTCOMES,
  statusFilter,
  toLocalInput,
} from "./log-parts";

/** The filter bar: selects apply at once, text fields when committed (Enter or leaving the field). */
export function Filters({ ws, filters }: { ws: string; filters: LogFilters }) {
  const { client } = useSession();
  const hooks = useLoad(
    () => ok(client.v1.workspaces[":ws"].hooks.$get({ param: { ws }, query: {} })),
    [client, ws],
  );
  const eventTypes = useLoad(
    () => ok(client.v1.workspaces[":ws"]["event-types"].$get({ param: { ws } })),
    [client, ws],
  );
  const [draft, setDraft] = useState<Record<string, string>>({});
  // The address is the truth: whenever it changes (a link, back, reload), the fields follow it.
  useEffect(() => {
    setDraft({
      eventType: filters.eventType ?? "",
      eventId: filters.eventId ?? "",
      since: toLocalInput(filters.since),
      until: toLocalInput(filters.until),
    });
  }, [filters]);

  const apply = (change: Partial<LogFilters>) => {
    const next: LogFilters = { ...filters, ...change };
    for (const k of FILTER_KEYS) if (!next[k]) delete next[k];
    navigate(logsHref(ws, next));
  };
  const commitText = (field: "eventType" | "eventId") => {
    const value = (draft[field] ?? "").trim();
    if (value !== (filters[field] ?? "")) apply({ [field]: value || undefined });
  };
  const commitTime = (field: "since" | "until") => {
    const value = fromLocalInput(draft[field] ?? "");
    if (value !== filters[field] && toLocalInput(value) !== toLocalInput(filters[field]))
      apply({ [field]: value });
  };

  const hookOptions = hooks.data?.data ?? [];
  const unknownHook = filters.hookId && hooks.data && !hookOptions.some((h) => h.id === filters.hookId);
  const unknownOutcome = filters.outcome && !OUTCOMES.some((o) => o.value === filters.outcome);
  const active = FILTER_KEYS.some((k) => filters[k]);

  return (
    <form
      class="card log-filters"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        const next: LogFilters = {
          ...filters,
          eventType: (draft.eventType ?? "").trim() || undefined,
          eventId: (draft.eventId ?? "").trim() || undefined,
          since: fromLocalInput(draft.since ?? ""),
          until: fromLocalInput(draft.until ?? ""),
        };
        apply(next);
      }}
    >
      <div class="filter-grid">
        <Field label="Hook">
          <select value={filters.hookId ?? ""} onChange={(e) => apply({ hookId: e.currentTarget.value })}>
            <option value="">All hooks</option>
            {hookOptions.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name} ({h.kind})
              </option>
            ))}
            {unknownHook && <option value={filters.hookId}>{filters.hookId} (deleted)</option>}
          </select>
        </Field>
        <Field label="Kind">
          <select
            value={filters.kind ?? ""}
            onChange={(e) => apply({ kind: kindFilter(e.currentTarget.value) })}
          >
            <option value="">Both kinds</option>
            <option value="callback">Callback</option>
            <option value="function">Function</option>
          </select>
        </Field>
        <Field label="Status">
          <select
            value={filters.status ?? ""}
            onChange={(e) => apply({ status: statusFilter(e.currentTarget.value) })}
          >
            <option value="">Any status</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed</option>
          </select>
        </Field>
        <Field label="Outcome">
          <select value={filters.outcome ?? ""} onChange={(e) => apply({ outcome: e.currentTarget.value })}>
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
            {unknownOutcome && <option value={filters.outcome}>{filters.outcome}</option>}
          </select>
        </Field>
        <Field label="Event type">
          <input
            list="log-event-types"
            value={draft.eventType ?? ""}
            placeholder="e.g. verification"
            onInput={(e) => setDraft({ ...draft, eventType: e.currentTarget.value })}
            onChange={() => commitText("eventType")}
          />
          <datalist id="log-event-types">
            {(eventTypes.data?.data ?? []).map((t) => (
              <option key={t.name} value={t.name} />
            ))}
          </datalist>
        </Field>
        <Field label="Event id">
          <input
            value={draft.eventId ?? ""}
            placeholder="evt_…"
            spellcheck={false}
            onInput={(e) => setDraft({ ...draft, eventId: e.currentTarget.value })}
            onChange={() => commitText("eventId")}
          />
        </Field>
        <Field label="Since">
          <input
            type="datetime-local"
            value={draft.since ?? ""}
            onInput={(e) => setDraft({ ...draft, since: e.currentTarget.value })}
            onBlur={() => commitTime("since")}
          />
        </Field>
        <Field label="Until">
          <input
            type="datetime-local"
            value={draft.until ?? ""}
            onInput={(e) => setDraft({ ...draft, until: e.currentTarget.value })}
            onBlur={() => commitTime("until")}
          />
        </Field>
      </div>
      <div class="filter-actions">
        <button type="submit" class="secondary">
          Apply filters
        </button>
        {active && (
          <a class="button secondary" href={logsHref(ws)}>
            Clear filters
          </a>
        )}
        <small class="muted">Times are in your local time zone.</small>
      </div>
      <ErrorNotice error={hooks.error} />
      <ErrorNotice error={eventTypes.error} />
    </form>
  );
}
