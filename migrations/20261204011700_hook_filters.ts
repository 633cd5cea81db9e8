// Hook filters (issue 17): a hook's optional filter over the event envelope, and how many events
// each hook's filter turned away, counted per hour by the ingest statement itself (no write per event).
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("hooks").addColumn("filter", "jsonb").execute();
  await db.schema
    .createTable("hook_filter_counts")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("hook_id", "text", (c) => c.notNull().references("hooks.id").onDelete("cascade"))
    // The start of the hour the events were ingested in.
    .addColumn("hour", "timestamptz", (c) => c.notNull())
    .addColumn("events", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("hook_filter_counts_pkey", ["hook_id", "hour"])
    .execute();
  // Retention deletes old hours across hooks.
  await db.schema
    .createIndex("hook_filter_counts_hour_idx")
    .on("hook_filter_counts")
    .column("hour")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("hook_filter_counts").execute();
  await db.schema.alterTable("hooks").dropColumn("filter").execute();
}
