// The dispatch worker's claim as a function, so it can pin its plan. The claim must walk
// deliveries_due_idx in order and stop after `lim` rows. Without fresh statistics (PGlite never
// analyzes; autovacuum lags a burst) the planner prefers a bitmap scan that reads and sorts every
// due delivery, so each claim cost grew with the backlog it was meant to drain. The settings only
// price the other plans out for this statement; they never make it fail.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await sql`
    create function hookrun_claim_due(worker text, lim integer, lease_ms bigint, skipped text[])
    returns setof deliveries
    language sql
    set enable_bitmapscan = off
    set enable_seqscan = off
    as $$
      update deliveries set
        next_attempt_at = now() + lease_ms * interval '1 millisecond',
        lease_owner = worker,
        updated_at = now()
      where id in (
        select id from deliveries
        where status = 'pending' and next_attempt_at <= now()
          and not exists (select 1 from unnest(skipped) as prefix where starts_with(target, prefix))
        order by next_attempt_at
        limit lim
        for update skip locked)
      returning *
    $$`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop function hookrun_claim_due(text, integer, bigint, text[])`.execute(db);
}
