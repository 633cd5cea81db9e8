// A hooks row as the database returns it, for tests of code that reads rows (parseHookRow and what
// follows an attempt): every nullable column empty unless the test sets it. Also the smallest stored
// workspace and hook that queue-level tests write events and deliveries against.
import type { Db } from "../../api/src/db/connect";
import type { HookRow } from "../../api/src/db/schema";

const EPOCH = new Date("2026-01-02T03:04:05.000Z");

/** The columns both kinds have, as a row and as its parsed hook hold them. */
export const commonColumns = {
  workspace_id: "ws_1",
  description: "",
  events: ["order.created"],
  enabled: true,
  disabled_reason: null,
  retry: { maxAttempts: 8 },
  filter: null,
  rate_limit: null,
  failing_since: null,
  created_at: EPOCH,
  updated_at: EPOCH,
  deleted_at: null,
};

export function hookRow(fields: Partial<HookRow> & Pick<HookRow, "id" | "kind">): HookRow {
  return {
    ...commonColumns,
    name: fields.id,
    method: null,
    urls: null,
    disabled_urls: null,
    headers_enc: null,
    timeout_ms: null,
    signing: null,
    signing_secret_enc: null,
    previous_signing_secret_enc: null,
    previous_signing_secret_expires_at: null,
    fifo: false,
    breaker_failures: null,
    source: null,
    live_version: null,
    secrets_enc: null,
    limits: null,
    ...fields,
  };
}

/** Stores workspace `ws_1` and its callback hook `hk_1` (subscribed to `eventType`), for queue-level tests. */
export async function insertWorkspaceAndHook(db: Db, eventType: string): Promise<void> {
  await db.insertInto("workspaces").values({ id: "ws_1", name: "ws" }).execute();
  await db
    .insertInto("hooks")
    .values({
      id: "hk_1",
      workspace_id: "ws_1",
      kind: "callback",
      name: "h",
      events: JSON.stringify([eventType]),
      retry: JSON.stringify({ maxAttempts: 1 }),
    })
    .execute();
}
