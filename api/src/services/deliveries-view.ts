// How deliveries are shown, shared by events, deliveries and ingest.
import type { Selectable } from "kysely";
import type { DeliveriesTable } from "../db/schema";
import type { DeliveryViewValue } from "../schemas/events";

export function presentDelivery(row: Selectable<DeliveriesTable>): DeliveryViewValue {
  return {
    id: row.id,
    eventId: row.event_id,
    hookId: row.hook_id,
    target: row.target,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === "pending" ? row.next_attempt_at.toISOString() : null,
    lastOutcome: row.last_outcome,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
