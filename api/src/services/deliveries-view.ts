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
    nextAttemptAt: row.status === "pending" ? whenDue(row.next_attempt_at) : null,
    lastOutcome: row.last_outcome,
    waiting: row.waiting,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/**
 * A waiting delivery released by something else (a FIFO line, a URL's breaker) is due at infinity,
 * which the drivers read as Infinity or an invalid Date: shown as null, not due at any known time.
 */
function whenDue(at: Date | number): string | null {
  const ms = at instanceof Date ? at.getTime() : at;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
