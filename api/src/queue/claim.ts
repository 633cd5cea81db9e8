// Claiming due deliveries under a lease. A claimed delivery stays 'pending' with next_attempt_at
// moved to the lease's end: if its worker dies, it simply becomes due again.
import { type Selectable, sql } from "kysely";
import type { Db } from "../db/connect";
import type { DeliveriesTable } from "../db/schema";
import { claimPrefixes } from "./host";

export type ClaimedDelivery = Selectable<DeliveriesTable>;

/**
 * Claims up to `limit` due deliveries, skipping targets whose host this worker already has a full
 * round of work for (`busyHosts`: host keys, see host.ts), so other hosts are not held up behind
 * them.
 */
export async function claimDue(
  db: Db,
  workerId: string,
  limit: number,
  leaseMs: number,
  busyHosts: Iterable<string> = [],
): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const skipped = [...busyHosts].flatMap(claimPrefixes);
  // hookrun_claim_due (migration 20261123010000) walks the due index in order; see why there.
  const { rows } = await sql<ClaimedDelivery>`
    select * from hookrun_claim_due(${workerId}, ${limit}, ${leaseMs}, ${skipped}::text[])`.execute(db);
  return rows;
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
