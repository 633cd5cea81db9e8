// The workspace's hooks: what each listens to, whether it is on, and how it did in the last 24 hours
// (with a success-rate sparkline each, all from one call). Admins switch hooks on and off here and
// start a new one; operators read.
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { ApiFailure, asFailure, ok } from "../../api/client";
import type { Hook } from "../../api/types";
import { href } from "../../router";
import { canEdit, useSession } from "../../session-context";
import { useLoad } from "../../ui/async";
import { Sparkline } from "../../ui/charts/sparkline";
import { ErrorNotice } from "../../ui/error-notice";
import { formatTime, percent, timeAgo } from "../../ui/format";
import { EmptyState, Loading, Page, Switch } from "../../ui/layout";
import "./form/hook-form.css";
import "../../ui/charts/charts.css";

export function HooksPage({ ws }: { ws: string }) {
  const { client, role } = useSession();
  const editable = canEdit(role);
  const hooks = useLoad(
    () => ok(client.v1.workspaces[":ws"].hooks.$get({ param: { ws }, query: {} })),
    [client, ws],
  );
  const sparklines = useLoad(
    () => ok(client.v1.workspaces[":ws"].activity.hooks.$get({ param: { ws }, query: { window: "24h" } })),
    [client, ws],
  );
  const seriesOf = useMemo(
    () => new Map((sparklines.data?.hooks ?? []).map((h) => [h.hookId, h])),
    [sparklines.data],
  );
  const [pending, setPending] = useState<Set<string>>(new Set());
  const [toggleError, setToggleError] = useState<ApiFailure | null>(null);

  const toggle = async (hook: Hook, enabled: boolean) => {
    setToggleError(null);
    setPending((p) => new Set(p).add(hook.id));
    try {
      const updated = await ok(
        client.v1.workspaces[":ws"].hooks[":id"].$patch({ param: { ws, id: hook.id }, json: { enabled } }),
      );
      // Toggles of several rows may be in flight: each applies its answer to the list as it is then.
      hooks.set((current) => ({
        ...current,
        data: (current?.data ?? []).map((h) => (h.id === updated.id ? updated : h)),
      }));
    } catch (error) {
      const e = asFailure(error);
      setToggleError(
        new ApiFailure(
          e.status,
          e.code,
          `Could not ${enabled ? "enable" : "disable"} “${hook.name}”: ${e.message}`,
          e.details,
          e.requestId,
        ),
      );
    } finally {
      setPending((p) => {
        const next = new Set(p);
        next.delete(hook.id);
        return next;
      });
    }
  };

  const newButton = editable && (
    <a class="button" href={href(ws, "hooks", "new")}>
      New hook
    </a>
  );
  const empty = hooks.data !== undefined && hooks.data.data.length === 0;

  return (
    <Page
      title="Hooks"
      actions={
        <>
          {hooks.data && hooks.data.data.length > 0 && (
            <button
              type="button"
              class="secondary"
              disabled={hooks.loading}
              onClick={() => {
                hooks.reload();
                sparklines.reload();
              }}
            >
              {hooks.loading ? "Refreshing…" : "Refresh"}
            </button>
          )}
          {/* An empty list has its own call to create, in the explanation. */}
          {!empty && newButton}
        </>
      }
    >
      <ErrorNotice error={hooks.error} />
      <ErrorNotice error={sparklines.error} />
      <ErrorNotice error={toggleError} onDismiss={() => setToggleError(null)} />
      {!hooks.data && !hooks.error && <Loading what="hooks" />}
      {empty && <NoHooks editable={editable} newButton={newButton} />}
      {hooks.data && hooks.data.data.length > 0 && (
        <table class="hooks-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Events</th>
              <th scope="col">Enabled</th>
              <th scope="col">Last 24 hours</th>
            </tr>
          </thead>
          <tbody>
            {hooks.data.data.map((h) => (
              <tr key={h.id}>
                <td class="hook-name">
                  <a href={href(ws, "hooks", h.id)}>{h.name}</a>
                  {h.description && <span class="muted">{h.description}</span>}
                </td>
                <td>
                  <span class="badge">{h.kind === "callback" ? `callback · ${h.method}` : "function"}</span>
                  {h.kind === "callback" && (
                    <small class="muted block">
                      {h.urls.length === 1 ? "1 URL" : `${h.urls.length} URLs`}
                      {h.disabledUrls.length > 0 ? `, ${h.disabledUrls.length} disabled` : ""}
                    </small>
                  )}
                  {h.kind === "function" && (
                    <small class="muted block">
                      {h.liveVersion === null ? "not deployed" : `live: v${h.liveVersion}`}
                    </small>
                  )}
                </td>
                <td>
                  <ul class="tags plain-list">
                    {h.events.map((e) => (
                      <li key={e} class="badge">
                        {e}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <Switch
                    label={`Enabled: ${h.name}`}
                    checked={h.enabled}
                    disabled={!editable || pending.has(h.id)}
                    onChange={(enabled) => void toggle(h, enabled)}
                  />
                  {!h.enabled && h.disabledReason && <small class="muted block">{h.disabledReason}</small>}
                </td>
                <td class="health">
                  <Health hook={h} />
                  {sparklines.data && <Sparkline series={seriesOf.get(h.id)} span="24 hours" />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function Health({ hook }: { hook: Hook }) {
  const h = hook.health;
  if (h.attempts === 0) return <span class="muted">no attempts</span>;
  const rate = h.successRate ?? 0;
  const tone = rate >= 0.99 ? "ok" : rate >= 0.9 ? "warn" : "bad";
  return (
    <>
      <span class={`badge ${tone}`}>{percent(h.successRate)} ok</span>{" "}
      <span>
        {h.attempts} {h.attempts === 1 ? "attempt" : "attempts"}
        {h.failures > 0 ? `, ${h.failures} failed` : ""}
      </span>
      <small class="muted" title={formatTime(h.lastAttemptAt)}>
        last: {h.lastOutcome ?? "—"} {timeAgo(h.lastAttemptAt)}
      </small>
    </>
  );
}

/** What hooks are, with the one call to create the first (the kind is chosen on the next page). */
function NoHooks({ editable, newButton }: { editable: boolean; newButton: ComponentChildren }) {
  return (
    <EmptyState title="No hooks yet">
      <p>A hook reacts to the events your platform posts. There are two kinds:</p>
      <div class="kinds-explained">
        <div class="card">
          <h3>Callback</h3>
          <p class="muted">
            An HTTP request to your URLs for every event, signed so the receiver can check it came from here,
            with your headers (an API key) and retries.
          </p>
        </div>
        <div class="card">
          <h3>Serverless function</h3>
          <p class="muted">
            Your own TypeScript runs on each event: reshape it, call any API, keep secrets, within the limits
            you set.
          </p>
        </div>
      </div>
      {editable ? (
        newButton
      ) : (
        <p class="muted">An admin of this workspace can create one; you will see it here.</p>
      )}
    </EmptyState>
  );
}
