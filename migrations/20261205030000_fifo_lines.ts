// FIFO lines (issue 17): a FIFO hook's deliveries to one URL form a line, ordered by line_seq, taken
// from one sequence at insert (ingest order); deliveries of other hooks have none. The gate
// (api/src/dispatch/fifo.ts) lets a line's earliest pending delivery go and parks the rest;
// line_admitted marks the one it let go, so a delivery that joins the line while that one is in
// flight waits for it. The gate's decision is one function, hookrun_fifo_admit: one round trip.
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
  // The FIFO gate's decision for claimed deliveries of FIFO lines: the lines' locks (keys sorted by
  // the caller, taken in that order, held to the end of the calling statement's transaction), then,
  // in a statement of its own (a volatile function's every statement takes a fresh snapshot, so it
  // sees whatever a gate holding these locks before decided), which candidates go: a line's earliest
  // pending delivery, when no other of the line is in flight, or any candidate of a hook no longer
  // FIFO. The others are parked (due at 'infinity', waiting 'fifo', lease gone) if still leased as
  // claimed; the ones that go are marked as their line's delivery in flight. Answers those that go.
  await sql`
    create function hookrun_fifo_admit(
      lock_keys bigint[], ids text[], hook_ids text[], targets text[], owners text[])
    returns setof text
    language sql
    as $$
      select count(pg_advisory_xact_lock(k)) from unnest(lock_keys) as k;
      with candidate as (
        select * from unnest(ids, hook_ids, targets, owners) as c(id, hook_id, target, lease_owner)
      ),
      line as (
        select l.hook_id, l.target,
          coalesce((select h.fifo from hooks h where h.id = l.hook_id), false) as fifo,
          (select d.id from deliveries d
           where d.hook_id = l.hook_id and d.target = l.target
             and d.status = 'pending' and d.line_seq is not null
           order by d.line_seq limit 1) as head,
          exists (select 1 from deliveries d
            where d.hook_id = l.hook_id and d.target = l.target
              and d.status = 'pending' and d.line_admitted and d.lease_owner is not null
              and d.id not in (select id from candidate)) as busy
        from (select distinct hook_id, target from candidate) as l
      ),
      decided as (
        select c.id, c.lease_owner, (not line.fifo) or (c.id = line.head and not line.busy) as go
        from candidate c join line using (hook_id, target)
      ),
      parked as (
        update deliveries d set next_attempt_at = 'infinity', waiting = 'fifo', lease_owner = null,
          updated_at = now()
        from decided
        where d.id = decided.id and not decided.go and d.lease_owner = decided.lease_owner
      ),
      admitted as (
        update deliveries d set line_admitted = true
        from decided
        where d.id = decided.id and decided.go and not d.line_admitted
      )
      -- Both updates run to completion whether or not this reads them (PostgreSQL's rule for WITH).
      select id from decided where go
    $$`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop function hookrun_fifo_admit(bigint[], text[], text[], text[], text[])`.execute(db);
  await sql`drop index deliveries_line_admitted_idx`.execute(db);
  await sql`drop index deliveries_line_idx`.execute(db);
  await db.schema.alterTable("deliveries").dropColumn("line_seq").dropColumn("line_admitted").execute();
  await sql`drop sequence deliveries_line_seq`.execute(db);
}
