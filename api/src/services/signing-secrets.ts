// A callback's signing secret: revealed to admins on request, rotated with a grace period during
// which requests carry signatures by both the new and the previous secret.
import type { CallbackHook } from "../db/hook";
import { changeCatalog } from "../queue";
import {
  generateSigningSecret,
  type SigningColumns,
  sealSecret,
  signingSecretsAt,
} from "../security/hook-secrets";
import type { Store } from "./context";
import { findHook } from "./hooks";
import { failure, type Result, success } from "./result";

export interface SigningSecrets {
  secret: string;
  previousSecret: string | null;
  previousExpiresAt: string | null;
}

async function findCallbackHook(
  store: Store,
  workspaceId: string,
  id: string,
): Promise<Result<CallbackHook>> {
  const row = await findHook(store, workspaceId, id);
  if (!row) return failure("not_found", `hook ${id} not found`);
  if (row.kind !== "callback" || !row.signing_secret_enc) {
    return failure("invalid", `hook ${id} is a function hook; only callback hooks are signed`);
  }
  return success(row);
}

function reveal(store: Store, row: SigningColumns, now: Date): SigningSecrets {
  const secrets = signingSecretsAt(store.box, row, now);
  return {
    secret: secrets.current,
    previousSecret: secrets.previous,
    previousExpiresAt: secrets.previousUntil?.toISOString() ?? null,
  };
}

export async function revealSigningSecret(
  store: Store,
  workspaceId: string,
  id: string,
): Promise<Result<SigningSecrets>> {
  const row = await findCallbackHook(store, workspaceId, id);
  return row.ok ? success(reveal(store, row.value, new Date())) : row;
}

export async function rotateSigningSecret(
  store: Store,
  workspaceId: string,
  id: string,
  input: { secret?: string | undefined; graceSeconds: number },
): Promise<Result<SigningSecrets>> {
  const found = await findCallbackHook(store, workspaceId, id);
  if (!found.ok) return found;
  const now = new Date();
  const updated = await changeCatalog(store, workspaceId, (tx) =>
    tx
      .updateTable("hooks")
      .set({
        signing_secret_enc: sealSecret(store.box, id, input.secret ?? generateSigningSecret()),
        previous_signing_secret_enc: input.graceSeconds > 0 ? found.value.signing_secret_enc : null,
        previous_signing_secret_expires_at:
          input.graceSeconds > 0 ? new Date(now.getTime() + input.graceSeconds * 1000) : null,
        updated_at: now,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return success(reveal(store, updated, now));
}
