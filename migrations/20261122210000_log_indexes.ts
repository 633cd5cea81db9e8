// Indexes for the execution log's filters. Every filter of GET .../logs (and the live tail) then has
// an index that starts with (workspace_id, <filter column>) and continues in the page order
// (created_at desc, id desc), so a page is a short index range scan even on millions of attempts.
// The initial migration already covers the workspace alone, hook, outcome and event id.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex("attempts_kind_time_idx")
    .on("attempts")
    .columns(["workspace_id", "kind", "created_at desc", "id desc"])
    .execute();
  await db.schema
    .createIndex("attempts_event_type_time_idx")
    .on("attempts")
    .columns(["workspace_id", "event_type", "created_at desc", "id desc"])
    .execute();
  // status=failed is "any outcome but success": no equality for the outcome index to use. Failures
  // are the minority an operator looks for, so a partial index keeps them dense and small.
  await db.schema
    .createIndex("attempts_failed_time_idx")
    .on("attempts")
    .columns(["workspace_id", "created_at desc", "id desc"])
    .where(sql.ref("outcome"), "<>", "success")
    .execute();
  // Hook stats and the hook list's health aggregate a hook's attempts over a window (up to 90 days):
  // carrying outcome and duration in the hook index makes that an index-only scan, not one heap
  // fetch per attempt.
  await db.schema.dropIndex("attempts_hook_time_idx").execute();
  await sql`create index attempts_hook_time_idx on attempts
    (workspace_id, hook_id, created_at desc, id desc) include (outcome, duration_ms)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("attempts_hook_time_idx").execute();
  await db.schema
    .createIndex("attempts_hook_time_idx")
    .on("attempts")
    .columns(["workspace_id", "hook_id", "created_at desc", "id desc"])
    .execute();
  for (const name of ["attempts_failed_time_idx", "attempts_event_type_time_idx", "attempts_kind_time_idx"])
    await db.schema.dropIndex(name).ifExists().execute();
}
