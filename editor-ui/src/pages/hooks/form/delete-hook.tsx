// Deleting a hook, confirmed in a dialog that names it; afterwards the hooks list.
import { useState } from "preact/hooks";
import { ok } from "../../../api/client";
import { href, navigate } from "../../../router";
import { useSession } from "../../../session-context";
import { useAction } from "../../../ui/async";
import { ConfirmDialog } from "../../../ui/confirm-dialog";
import "./hook-form.css";

export function DeleteHook({ ws, hook }: { ws: string; hook: { id: string; name: string; kind: string } }) {
  const { client } = useSession();
  const [open, setOpen] = useState(false);
  const remove = useAction(async () => {
    await ok(client.v1.workspaces[":ws"].hooks[":id"].$delete({ param: { ws, id: hook.id } }));
    setOpen(false);
    navigate(href(ws, "hooks"));
  });

  return (
    <section class="card settings-section danger-zone" aria-labelledby="danger-zone-title">
      <h2 id="danger-zone-title">Delete this hook</h2>
      <p class="hint">
        It receives nothing again and its pending deliveries are canceled. Its execution logs stay until they
        expire.
      </p>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete hook…
      </button>
      {open && (
        <ConfirmDialog
          title={`Delete “${hook.name}”?`}
          confirmLabel={`Delete ${hook.name}`}
          pending={remove.pending}
          error={remove.error}
          onConfirm={() => void remove.run()}
          onCancel={() => {
            setOpen(false);
            remove.clearError();
          }}
        >
          <p>
            The {hook.kind} hook <strong>{hook.name}</strong> stops receiving events now, and every delivery
            still waiting for it is canceled. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
