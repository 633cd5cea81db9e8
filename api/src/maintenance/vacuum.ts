// PGlite runs no autovacuum: the queue's churn (every delivery claimed, finished, pruned) would
// leave dead tuples in its busy tables for ever, and its planner would never get statistics. The
// pruner's worker vacuums and analyzes them itself on the embedded database.
import { sql } from "kysely";
import type { Db } from "../db/connect";

/** The tables every delivery writes to. */
export const BUSY_TABLES = ["deliveries", "attempts", "events", "workers"] as const;

export async function vacuumBusyTables(db: Db): Promise<void> {
  // VACUUM cannot run in a transaction block: one plain statement per table.
  for (const table of BUSY_TABLES) await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
}
