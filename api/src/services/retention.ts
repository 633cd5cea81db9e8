// Retention: attempts and finished events older than HOOKRUN_RETENTION_DAYS, portal sessions
// expired that long ago, and hooks' hourly filtered counts as old, are deleted in small batches, so pruning never holds locks long enough to
// stall ingest. An event with a pending delivery is never pruned, whatever its age: nothing
// accepted is lost.
import { sql } from "kysely";
import type { Db } from "../db/connect";

export interface PruneResult {
  attempts: number;
  events: number;
  /** Portal sessions (one per link made) expired more than the retention period ago. */
  portalSessions: number;
  /** Hours of a hook's filtered count (hook_filter_counts rows). */
  filterCounts: number;
  batches: number;
}

export interface PruneOptions {
  retentionDays: number;
  /** Rows per delete statement (default 1000). */
  batchSize?: number;
  /** Pause between batches, giving other writers their turn (default 10 ms). */
  pauseMs?: number;
  now?: Date;
}

export async function pruneExpired(db: Db, options: PruneOptions): Promise<PruneResult> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  const batchSize = options.batchSize ?? 1000;
  const result: PruneResult = {
    attempts: 0,
    events: 0,
    portalSessions: 0,
    filterCounts: 0,
    batches: 0,
  };
  const drain = async (remove: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const deleted = await remove();
      total += deleted;
      result.batches += 1;
      if (deleted < batchSize) return total;
      await pause(options.pauseMs);
    }
  };
  result.attempts = await drain(() => deleteBefore(db, "attempts", "created_at", cutoff, batchSize));
  result.events = await drain(() => deleteEvents(db, cutoff, batchSize));
  // A used link answers 410 while its session is kept, and 404 once it is gone.
  result.portalSessions = await drain(() =>
    deleteBefore(db, "portal_sessions", "expires_at", cutoff, batchSize),
  );
  result.filterCounts = await drain(() => deleteFilterCounts(db, cutoff, batchSize));
  return result;
}

/**
 * Up to `limit` rows of `table` whose `column` is before the cutoff. SKIP LOCKED: two processes
 * pruning at once split the work instead of waiting on each other.
 */
async function deleteBefore(
  db: Db,
  table: "attempts" | "portal_sessions",
  column: "created_at" | "expires_at",
  cutoff: Date,
  limit: number,
): Promise<number> {
  const { numAffectedRows } = await sql`
    delete from ${sql.table(table)} where id in (
      select id from ${sql.table(table)} where ${sql.ref(column)} < ${cutoff.toISOString()}::timestamptz
      limit ${limit} for update skip locked)`.execute(db);
  return Number(numAffectedRows ?? 0);
}

/** Finished deliveries go with their event (cascade); an event with a pending one stays. */
async function deleteEvents(db: Db, cutoff: Date, limit: number): Promise<number> {
  const { numAffectedRows } = await sql`
    delete from events where id in (
      select e.id from events e
      where e.created_at < ${cutoff.toISOString()}::timestamptz
        and not exists (select 1 from deliveries d where d.event_id = e.id and d.status = 'pending')
      limit ${limit} for update skip locked)`.execute(db);
  return Number(numAffectedRows ?? 0);
}

/** Hourly filtered counts of hours before the cutoff (they have no id: a row is its hook and hour). */
async function deleteFilterCounts(db: Db, cutoff: Date, limit: number): Promise<number> {
  const { numAffectedRows } = await sql`
    delete from hook_filter_counts where (hook_id, hour) in (
      select hook_id, hour from hook_filter_counts where hour < ${cutoff.toISOString()}::timestamptz
      limit ${limit} for update skip locked)`.execute(db);
  return Number(numAffectedRows ?? 0);
}

const pause = (ms = 10) => new Promise<void>((resolve) => setTimeout(resolve, ms));
