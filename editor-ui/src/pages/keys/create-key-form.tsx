// A new API key: its name and its role, each role explained where it is chosen.
import { useId, useState } from "preact/hooks";
import { ok } from "../../api/client";
import type { CreatedApiKey } from "../../api/types";
import { useSession } from "../../session-context";
import { useAction } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { Field } from "../../ui/layout";
import { type KeyRole, ROLES } from "./roles";

export function CreateKeyForm(props: { ws: string; onCreated(created: CreatedApiKey): void }) {
  const { client } = useSession();
  const [name, setName] = useState("");
  const [role, setRole] = useState<KeyRole>("ingest");
  const legendId = useId();
  const create = useAction(async () => {
    const created = await ok(
      client.v1.workspaces[":ws"].keys.$post({ param: { ws: props.ws }, json: { name: name.trim(), role } }),
    );
    setName("");
    props.onCreated(created);
  });

  return (
    <form
      class="card keys-form"
      aria-label="New API key"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <h2>New API key</h2>
      <Field label="Key name" hint="Who or what uses it, e.g. “checkout backend” or “on-call team”.">
        <input
          name="name"
          required
          maxLength={100}
          autoComplete="off"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </Field>
      <fieldset class="keys-roles" aria-labelledby={legendId}>
        <legend id={legendId} class="label">
          Role
        </legend>
        {ROLES.map((r) => (
          <label key={r.role} class={role === r.role ? "keys-role chosen" : "keys-role"}>
            <input
              type="radio"
              name="role"
              value={r.role}
              checked={role === r.role}
              onChange={() => setRole(r.role)}
            />
            <span>
              <strong>{r.label}</strong>
              <span class="muted"> — {r.explains}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={create.error} onDismiss={create.clearError} />
      <div>
        <button type="submit" disabled={create.pending || name.trim() === ""}>
          {create.pending ? "Creating…" : "Create key"}
        </button>
      </div>
    </form>
  );
}
