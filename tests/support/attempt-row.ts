// One attempt row to insert straight into the attempts table, for tests that need attempts of a
// chosen outcome, duration or time without running deliveries.
import type { Insertable } from "kysely";
import type { AttemptsTable } from "../../api/src/db/schema";

export type AttemptRow = Insertable<AttemptsTable>;

/** A successful 10 ms callback delivery attempt, recorded now, with `over` applied. */
export function attemptRow(ws: string, hook: string, id: string, over: Partial<AttemptRow> = {}): AttemptRow {
  return {
    id,
    workspace_id: ws,
    hook_id: hook,
    kind: "callback",
    trigger: "delivery",
    event_id: null,
    event_type: "verification",
    delivery_id: null,
    attempt: 1,
    outcome: "success",
    started_at: new Date(),
    duration_ms: 10,
    ...over,
  };
}
