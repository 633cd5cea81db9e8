// Brings the schema up to date at startup. Several API/worker processes may start at once against one
// PostgreSQL, so the whole run (including Kysely creating its own bookkeeping tables) is serialised.
import { sql } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import { migrations } from "../../../migrations";
import type { Db } from "./connect";

// Session-level advisory lock key (two int4 halves: "hookrun", "migrate"). Kysely's Migrator only
// locks after `create table if not exists kysely_migration...`, which races on a fresh database
// (duplicate key on pg_type); holding our own lock around everything removes that window.
const LOCK_CLASS = 0x686b7275;
const LOCK_OBJECT = 1;

const provider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => migrations,
};

export async function migrateToLatest(db: Db): Promise<{ applied: string[] }> {
  // One dedicated connection: a session lock belongs to the connection that took it. (On PGlite this
  // also holds the only connection, which serialises migrations within the process.)
  return await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(LOCK_CLASS)}, ${sql.lit(LOCK_OBJECT)})`.execute(conn);
    let outcome: { applied: string[] } | undefined;
    try {
      outcome = await runMigrator(conn);
      return outcome;
    } finally {
      const unlock = sql`select pg_advisory_unlock(${sql.lit(LOCK_CLASS)}, ${sql.lit(LOCK_OBJECT)})`.execute(
        conn,
      );
      // If migrating failed, report that error rather than a follow-up unlock failure (a broken
      // connection drops the lock anyway).
      if (outcome) await unlock;
      else await unlock.catch(() => {});
    }
  });
}

async function runMigrator(db: Db): Promise<{ applied: string[] }> {
  const { error, results = [] } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === "Error")?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    // All pending migrations run in one transaction on Postgres/PGlite: none of them stuck.
    throw new Error(
      failed ? `migration ${failed} failed: ${reason}` : `migrating the database failed: ${reason}`,
      { cause: error },
    );
  }
  return { applied: results.filter((r) => r.status === "Success").map((r) => r.migrationName) };
}
