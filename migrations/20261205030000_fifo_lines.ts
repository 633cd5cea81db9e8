// FIFO lines (issue 17): a FIFO hook's deliveries to one URL form a line, ordered by line_seq, taken
// from one sequence at insert (ingest order); deliveries of other hooks have none. The gate
// (api/src/dispatch/fifo.ts) lets a line's earliest pending delivery go and parks the rest;
// line_admitted marks the one it let go, so a delivery that joins the line while that one is in
// flight waits for it.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await sql`create sequence deliveries_line_seq`.execute(db);
  await db.schema
    .alterTable("deliveries")
    .addColumn("line_seq", "bigint")
    .addColumn("line_admitted", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  // A line's earliest pending delivery, and (skip-scanned) every line with pending deliveries.
  await sql`
    create index deliveries_line_idx on deliveries (hook_id, target, line_seq)
    where status = 'pending' and line_seq is not null`.execute(db);
  // The line's delivery in flight, if any: a few rows at most per line.
  await sql`
    create index deliveries_line_admitted_idx on deliveries (hook_id, target)
    where status = 'pending' and line_admitted`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop index deliveries_line_admitted_idx`.execute(db);
  await sql`drop index deliveries_line_idx`.execute(db);
  await db.schema.alterTable("deliveries").dropColumn("line_seq").dropColumn("line_admitted").execute();
  await sql`drop sequence deliveries_line_seq`.execute(db);
}
