// A hooks row as the database returns it, for tests of code that reads rows (parseHookRow and what
// follows an attempt): every nullable column empty unless the test sets it.
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
    source: null,
    live_version: null,
    secrets_enc: null,
    limits: null,
    ...fields,
  };
}
