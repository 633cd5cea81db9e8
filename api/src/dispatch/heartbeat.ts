// Workers' liveness, and what follows from it for leases. A worker registers before its first
// claim and beats every few seconds; each beat renews the leases of the deliveries it holds (running
// or waiting in its lanes), so a lease never runs out under a live worker. Any worker's beat also
// reaps workers that stopped beating and hands their leases back at once, so a crashed worker's
// deliveries wait seconds, not the lease's two minutes.
import { sql } from "kysely";
import type { Db } from "../db/connect";

/** How often a worker beats. */
export const HEARTBEAT_MS = 2_000;
/** A worker silent this long is dead (three missed beats). */
export const STALE_MS = 3 * HEARTBEAT_MS;

/** Announces the worker (or says it is still alive) and renews the leases of what it holds. */
export async function beat(db: Db, workerId: string, held: string[], leaseMs: number): Promise<void> {
  await db
    .insertInto("workers")
    .values({ id: workerId, heartbeat_at: sql<Date>`now()` })
    .onConflict((oc) => oc.column("id").doUpdateSet({ heartbeat_at: sql<Date>`now()` }))
    .execute();
  if (held.length === 0) return;
  await db
    .updateTable("deliveries")
    .set({ next_attempt_at: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where("id", "=", sql<string>`any(${held}::text[])`)
    .where("lease_owner", "=", workerId)
    .where("status", "=", "pending")
    .execute();
}

/**
 * Forgets workers silent for `staleMs` and hands back every lease not held by a live worker (theirs,
 * and those of workers that never registered). Returns how many deliveries became due again.
 */
export async function reapDead(db: Db, staleMs: number = STALE_MS): Promise<number> {
  const { rows } = await sql<{ released: number }>`
    with dead as (
      delete from workers where heartbeat_at < now() - ${staleMs} * interval '1 millisecond'
    ), released as (
      update deliveries d set next_attempt_at = now(), lease_owner = null, updated_at = now()
      where d.lease_owner is not null and d.status = 'pending'
        and not exists (
          select 1 from workers w
          where w.id = d.lease_owner and w.heartbeat_at >= now() - ${staleMs} * interval '1 millisecond')
      returning 1
    )
    select count(*) as released from released`.execute(db);
  return Number(rows[0]?.released ?? 0);
}

/** The worker is gone for good (a clean stop): its row goes too. */
export async function retire(db: Db, workerId: string): Promise<void> {
  await db.deleteFrom("workers").where("id", "=", workerId).execute();
}
