// The workspace's API keys (admins and the root key only): who can call the API and as what. A new
// key is shown once; revoking one stops it at once, and revoking the key you are signed in with
// signs you out.
import { useEffect, useState } from "preact/hooks";
import { ok } from "../api/client";
import type { ApiKeyList, CreatedApiKey } from "../api/types";
import { canEdit, useSession } from "../session-context";
import { useAction, useLoad } from "../ui/async";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { ErrorNotice } from "../ui/error-notice";
import { formatTime, timeAgo } from "../ui/format";
import { EmptyState, Loading, Page } from "../ui/layout";
import { CreateKeyForm } from "./keys/create-key-form";
import { NewKeyPanel } from "./keys/new-key-panel";
import { ROLES } from "./keys/roles";
import "./keys/keys.css";

type ApiKey = ApiKeyList["data"][number];

export function KeysPage({ ws }: { ws: string }) {
  const session = useSession();
  const { client, role } = session;
  const allowed = canEdit(role);
  const list = useLoad(
    () =>
      allowed ? ok(client.v1.workspaces[":ws"].keys.$get({ param: { ws } })) : Promise.resolve({ data: [] }),
    [client, ws, allowed],
  );
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  // Another workspace (the root key switches): nothing of the previous one stays on screen.
  useEffect(() => {
    setCreated(null);
    setRevoking(null);
    setStatus(null);
  }, [ws]);

  /** The key this browser is signed in with: listings show each key's first characters. */
  const isMine = (k: ApiKey) => session.key.slice(0, k.prefix.length) === k.prefix;
  const keys = list.data?.data ?? [];
  const active = keys.filter((k) => !k.revokedAt);
  const revoked = keys.filter((k) => k.revokedAt);

  const revoke = useAction(async (key: ApiKey) => {
    const done = await ok(client.v1.workspaces[":ws"].keys[":id"].$delete({ param: { ws, id: key.id } }));
    if (isMine(key)) {
      session.signOut();
      return;
    }
    list.set((current) => ({ data: (current?.data ?? []).map((k) => (k.id === done.id ? done : k)) }));
    setRevoking(null);
    setStatus(`Key “${done.name}” revoked: requests with it are refused from now on.`);
  });

  if (!allowed) {
    return (
      <Page title="API keys">
        <EmptyState title="API keys are managed by admins">
          <p>Your key's role is {role}. Ask an admin of this workspace for a key, or to change one.</p>
        </EmptyState>
      </Page>
    );
  }

  return (
    <Page title="API keys">
      {created && (
        <NewKeyPanel
          ws={ws}
          created={created}
          onDismiss={() => {
            setCreated(null);
            setStatus(`Key “${created.name}” is ready to use.`);
          }}
        />
      )}
      {status && (
        <p class="notice success" role="status">
          {status}
        </p>
      )}
      <div class="keys-layout">
        <div>
          <ErrorNotice error={list.error} />
          {list.loading && !list.data ? (
            <Loading what="API keys" />
          ) : (
            list.data &&
            (active.length === 0 ? (
              <EmptyState title="No active keys in this workspace">
                <p>
                  Create an <strong>ingest</strong> key for the backend that posts events, and admin or
                  operator keys for the people who manage hooks.
                </p>
              </EmptyState>
            ) : (
              <KeyTable
                label="Active API keys"
                keys={active}
                isMine={isMine}
                onRevoke={(k) => {
                  revoke.clearError();
                  setStatus(null);
                  setRevoking(k);
                }}
              />
            ))
          )}
          {revoked.length > 0 && (
            <details class="keys-revoked">
              <summary>
                {revoked.length} revoked key{revoked.length === 1 ? "" : "s"}
              </summary>
              <KeyTable label="Revoked API keys" keys={revoked} isMine={isMine} />
            </details>
          )}
        </div>
        <CreateKeyForm
          ws={ws}
          onCreated={(k) => {
            setStatus(null);
            setCreated(k);
            const { key: _secret, ...listed } = k;
            list.set((current) => ({ data: [listed, ...(current?.data ?? [])] }));
          }}
        />
      </div>
      {revoking && (
        <ConfirmDialog
          title={`Revoke key “${revoking.name}”?`}
          confirmLabel="Revoke key"
          pending={revoke.pending}
          error={revoke.error}
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke.run(revoking)}
        >
          <p>
            The {revoking.role} key <code>{revoking.prefix}…</code> stops working at once: every request made
            with it is refused (401). This cannot be undone.
          </p>
          {isMine(revoking) && (
            <div class="notice error">
              <p>
                <strong>This is the key you are signed in with.</strong> Revoking it signs you out of the
                editor; you will need another key to sign in again.
              </p>
            </div>
          )}
        </ConfirmDialog>
      )}
    </Page>
  );
}

function KeyTable(props: {
  label: string;
  keys: ApiKey[];
  isMine(k: ApiKey): boolean;
  onRevoke?(k: ApiKey): void;
}) {
  return (
    <table class="keys-table" aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Role</th>
          <th scope="col">Key</th>
          <th scope="col">Created</th>
          <th scope="col">{props.onRevoke ? "Last used" : "Revoked"}</th>
          {props.onRevoke && (
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {props.keys.map((k) => (
          <tr key={k.id} class={k.revokedAt ? "revoked" : undefined}>
            <td>
              {k.name}{" "}
              {props.isMine(k) && !k.revokedAt && <span class="badge warn">signed in with this key</span>}
            </td>
            <td>
              <span class="badge" title={ROLES.find((r) => r.role === k.role)?.explains}>
                {k.role}
              </span>
            </td>
            <td>
              <code>{k.prefix}…</code>
            </td>
            <td title={formatTime(k.createdAt)}>{timeAgo(k.createdAt)}</td>
            {props.onRevoke ? (
              <td title={k.lastUsedAt ? formatTime(k.lastUsedAt) : "not used yet"}>
                {k.lastUsedAt ? timeAgo(k.lastUsedAt) : "never"}
              </td>
            ) : (
              <td>{formatTime(k.revokedAt)}</td>
            )}
            {props.onRevoke && (
              <td class="actions">
                <button
                  type="button"
                  class="danger"
                  onClick={() => props.onRevoke?.(k)}
                  aria-label={`Revoke ${k.name} (${k.prefix}…)`}
                >
                  Revoke
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
