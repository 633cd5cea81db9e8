// Claiming due deliveries under a lease. A claimed delivery stays 'pending' with next_attempt_at
// moved to the lease's end: if its worker dies, it simply becomes due again.
import { type Selectable, sql } from "kysely";
import type { Db } from "../db/connect";
import type { DeliveriesTable } from "../db/schema";
import { claimPrefixes } from "./host";

export type ClaimedDelivery = Selectable<DeliveriesTable>;

/** The event of a claimed delivery: what its envelope needs. */
export interface ClaimedEvent {
  id: string;
  workspace_id: string;
  type: string;
  data: unknown;
  context: unknown;
  created_at: Date;
}

/**
 * A claimed delivery and its event: null when the claim's statement did not see it (gone, or
 * committed after the statement began: loadBatch reads it again).
 */
export interface ClaimedWork {
  delivery: ClaimedDelivery;
  event: ClaimedEvent | null;
}

/**
 * Claims up to `limit` due deliveries, skipping targets whose host this worker already has a full
 * round of work for (`busyHosts`: host keys, see host.ts), so other hosts are not held up behind
 * them; with each delivery's event read in the same statement: the worker needs both, and each
 * statement costs a round trip, which at thousands of deliveries a second is what the worker's
 * process spends most on (docs/perf).
 */
export async function claimDueWithEvents(
  db: Db,
  workerId: string,
  limit: number,
  leaseMs: number,
  busyHosts: Iterable<string> = [],
): Promise<ClaimedWork[]> {
  if (limit <= 0) return [];
  const skipped = [...busyHosts].flatMap(claimPrefixes);
  const { rows } = await sql<ClaimedDelivery & EventColumns>`
    with claimed as (
      select * from hookrun_claim_due(${workerId}, ${limit}, ${leaseMs}, ${skipped}::text[]))
    select c.*, e.id as event_found, e.type as event_type, e.data as event_data,
      e.context as event_context, e.created_at as event_created_at
    from claimed c left join events e on e.id = c.event_id`.execute(db);
  return rows.map(splitEvent);
}

/** The event's columns beside the delivery's, as the statement names them. */
interface EventColumns {
  event_found: string | null;
  event_type: string;
  event_data: unknown;
  event_context: unknown;
  event_created_at: Date;
}

function splitEvent(row: ClaimedDelivery & EventColumns): ClaimedWork {
  const { event_found, event_type, event_data, event_context, event_created_at, ...delivery } = row;
  const event =
    event_found === null
      ? null
      : {
          id: delivery.event_id,
          workspace_id: delivery.workspace_id,
          type: event_type,
          data: event_data,
          context: event_context,
          created_at: event_created_at,
        };
  return { delivery, event };
}

/** Hands claimed deliveries back at once (graceful shutdown), due again for any worker. */
export async function releaseLease(db: Db, workerId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("deliveries")
    .set({
      next_attempt_at: sql`now()`,
      lease_owner: null,
      updated_at: sql`now()`,
    })
    .where("id", "in", ids)
    .where("lease_owner", "=", workerId)
    .where("status", "=", "pending")
    .execute();
}
