// The root key's workspace picker: every workspace, and a form to create one.
import { useState } from "preact/hooks";
import { ok } from "../api/client";
import { href, navigate } from "../router";
import { useSession } from "../session-context";
import { useAction, useLoad } from "../ui/async";
import { ErrorNotice } from "../ui/error-notice";
import { formatTime } from "../ui/format";
import { EmptyState, Field, Loading, Page } from "../ui/layout";

export function WorkspacesPage() {
  const { client, role } = useSession();
  const list = useLoad(() => ok(client.v1.workspaces.$get({ query: { limit: "100" } })), [client]);
  const more = useAction(async (cursor: string) => {
    const page = await ok(client.v1.workspaces.$get({ query: { limit: "100", cursor } }));
    list.set((current) => ({ data: [...(current?.data ?? []), ...page.data], nextCursor: page.nextCursor }));
  });
  const [name, setName] = useState("");
  const create = useAction(async () => {
    const ws = await ok(client.v1.workspaces.$post({ json: { name: name.trim() } }));
    navigate(href(ws.id, "hooks"));
  });

  if (role !== "root") return <EmptyState title="Only the root key manages workspaces" />;
  return (
    <Page title="Workspaces">
      <ErrorNotice error={list.error} />
      {list.loading && !list.data ? (
        <Loading what="workspaces" />
      ) : list.data && list.data.data.length === 0 ? (
        <EmptyState title="No workspaces yet">
          <p>A workspace is one tenant: its hooks, events, keys and logs. Create the first one below.</p>
        </EmptyState>
      ) : (
        <ul class="cards" aria-label="Workspaces">
          {list.data?.data.map((ws) => (
            <li key={ws.id}>
              <a class="card link-card" href={href(ws.id, "hooks")}>
                <strong>{ws.name}</strong>
                <span class="muted">
                  {ws.id} · created {formatTime(ws.createdAt)}
                </span>
                {ws.description && <span>{ws.description}</span>}
              </a>
            </li>
          ))}
        </ul>
      )}
      {list.data?.nextCursor && (
        <div>
          <button
            type="button"
            class="secondary"
            disabled={more.pending}
            onClick={() => list.data?.nextCursor && void more.run(list.data.nextCursor)}
          >
            {more.pending ? "Loading…" : "Load more workspaces"}
          </button>
          <ErrorNotice error={more.error} onDismiss={more.clearError} />
        </div>
      )}
      <form
        class="card inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2>New workspace</h2>
        <Field label="Name" hint="Unique among workspaces.">
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <ErrorNotice error={create.error} />
        <button type="submit" disabled={create.pending}>
          Create workspace
        </button>
      </form>
    </Page>
  );
}
