// The event catalog of a workspace: what the platform may post and hooks may subscribe to. Admins
// add, edit and delete event types; operators read the catalog.
import { useEffect, useState } from "preact/hooks";
import { ok } from "../api/client";
import type { EventType } from "../api/types";
import { canEdit, useSession } from "../session-context";
import { useAction, useLoad } from "../ui/async";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { ErrorNotice } from "../ui/error-notice";
import { EmptyState, Loading, Page } from "../ui/layout";
import { EventTypeCard } from "./event-types/event-type-card";
import { EventTypeForm } from "./event-types/event-type-form";
import "./event-types/event-types.css";

/** Above this many entries the catalog gets a filter box. */
const FILTER_FROM = 6;

const byName = (a: EventType, b: EventType) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function EventTypesPage({ ws }: { ws: string }) {
  const { client, role, portal } = useSession();
  // The catalog is the platform's: in its portal a customer reads it and subscribes to it.
  const editable = canEdit(role) && !portal;
  const list = useLoad(
    () => ok(client.v1.workspaces[":ws"]["event-types"].$get({ param: { ws } })),
    [client, ws],
  );
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<EventType | null>(null);
  const [filter, setFilter] = useState("");
  const [status, setStatus] = useState<string | null>(null);

  // Another workspace (the root key switches): no form or message of the previous one stays open.
  useEffect(() => {
    setCreating(false);
    setEditing(null);
    setDeleting(null);
    setFilter("");
    setStatus(null);
  }, [ws]);

  const types = list.data?.data ?? [];
  const replace = (next: EventType[]) => list.set({ data: [...next].sort(byName) });

  const remove = useAction(async (name: string) => {
    await ok(client.v1.workspaces[":ws"]["event-types"][":name"].$delete({ param: { ws, name } }));
    replace(types.filter((t) => t.name !== name));
    setDeleting(null);
    setStatus(`Event type ${name} deleted.`);
  });

  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? types.filter(
        (t) => t.name.toLowerCase().includes(needle) || t.description.toLowerCase().includes(needle),
      )
    : types;

  return (
    <Page
      title="Event types"
      actions={
        editable && (
          <button
            type="button"
            onClick={() => {
              setCreating(true);
              setEditing(null);
              setStatus(null);
            }}
            disabled={creating}
          >
            New event type
          </button>
        )
      }
    >
      <p class="et-intro muted">
        The events your platform posts to <code>POST /v1/workspaces/{ws}/events</code> as{" "}
        <code>{'{"type": …, "data": …}'}</code>. Hooks subscribe to them by name (or by a pattern such as{" "}
        <code>order.*</code>); when a type has a JSON Schema, posted data that does not match it is refused.
      </p>
      {!editable && (
        <p class="notice info et-status">
          {portal
            ? "These are the events you can subscribe to."
            : "You can read the catalog; changing it needs an admin key."}
        </p>
      )}
      {status && (
        <p class="notice success et-status" role="status">
          {status}
        </p>
      )}
      {creating && (
        <EventTypeForm
          ws={ws}
          onCancel={() => setCreating(false)}
          onSaved={(saved) => {
            replace([...types.filter((t) => t.name !== saved.name), saved]);
            setCreating(false);
            setStatus(`Event type ${saved.name} created.`);
          }}
        />
      )}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? (
        <Loading what="event types" />
      ) : list.data && types.length === 0 ? (
        <EmptyState title="No event types yet">
          <p>
            {editable
              ? "Add the events your platform will post (order.paid, insight.summary, …) with New event type."
              : "An admin adds the events the platform posts; they will show here."}
          </p>
        </EmptyState>
      ) : (
        list.data && (
          <>
            {types.length >= FILTER_FROM && (
              <div class="et-toolbar">
                <input
                  type="search"
                  aria-label="Filter event types"
                  placeholder="Filter by name or description"
                  value={filter}
                  onInput={(e) => setFilter(e.currentTarget.value)}
                />
                <span class="muted">
                  {shown.length} of {types.length}
                </span>
              </div>
            )}
            {shown.length === 0 ? (
              <EmptyState title={`No event type matches “${filter.trim()}”`}>
                <button type="button" class="secondary" onClick={() => setFilter("")}>
                  Clear the filter
                </button>
              </EmptyState>
            ) : (
              <ul class="et-list" aria-label="Event types">
                {shown.map((et) => (
                  <li key={et.name}>
                    {editing === et.name ? (
                      <EventTypeForm
                        ws={ws}
                        editing={et}
                        onCancel={() => setEditing(null)}
                        onSaved={(saved) => {
                          replace(types.map((t) => (t.name === saved.name ? saved : t)));
                          setEditing(null);
                          setStatus(`Event type ${saved.name} saved.`);
                        }}
                      />
                    ) : (
                      <EventTypeCard
                        eventType={et}
                        canEdit={editable}
                        onEdit={() => {
                          setEditing(et.name);
                          setStatus(null);
                        }}
                        onDelete={() => {
                          remove.clearError();
                          setStatus(null);
                          setDeleting(et);
                        }}
                      />
                    )}
                  </li>
                ))}
              </ul>
            )}
          </>
        )
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete event type ${deleting.name}?`}
          confirmLabel="Delete event type"
          pending={remove.pending}
          error={remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove.run(deleting.name)}
        >
          <p>
            Events of type <code>{deleting.name}</code> can no longer be posted (the API answers 422), and
            hooks cannot subscribe to it.
          </p>
          <p class="muted">
            A hook that subscribes to it by name keeps it from being deleted: change that hook's events first.
          </p>
        </ConfirmDialog>
      )}
    </Page>
  );
}
