// Rate limits (issue 17): each rated hook's "theoretical arrival time" (GCRA), the moment its next
// free delivery slot begins, shared by every worker process through the row's lock; and the slot a
// delivery that waits for its turn holds, so it goes at that slot without reserving another.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("hook_rates")
    .addColumn("hook_id", "text", (c) => c.primaryKey().references("hooks.id").onDelete("cascade"))
    // The rate reserved at, once a change of the hook's rate wrote it (null: removed); until then
    // the hook's own.
    .addColumn("rate", "float8")
    // The first free slot: the end of the slots reserved so far (in the past when idle).
    .addColumn("tat", "timestamptz", (c) => c.notNull())
    .execute();
  // Set while a delivery waits for its rate slot (waiting = 'rate_limit'); null otherwise.
  await db.schema.alterTable("deliveries").addColumn("rate_slot_at", "timestamptz").execute();
  // A change of a hook's rate finds the deliveries holding or waiting for its slots without reading
  // the hook's whole history. Small: only those deliveries are in it.
  await db.schema
    .createIndex("deliveries_rate_waiting_idx")
    .on("deliveries")
    .column("hook_id")
    .where(sql<boolean>`status = 'pending' and (waiting = 'rate_limit' or rate_slot_at is not null)`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("deliveries_rate_waiting_idx").execute();
  await db.schema.alterTable("deliveries").dropColumn("rate_slot_at").execute();
  await db.schema.dropTable("hook_rates").execute();
}
