// Rate limits (issue 17): a hook's `rateLimit` is deliveries per second for the whole hook, across
// every worker process. GCRA: each rated hook has a "theoretical arrival time" (hook_rates.tat), the
// start of its next free slot. A claimed batch's n deliveries of a hook at rate r take the slots
// start + i/r (i = 0..n-1), start = greatest(tat, now), and tat moves on to start + n/r, all in one
// statement under the hook's rate row lock, on the database's clock, so every worker draws from
// the same sequence. A slot less than GO_WITHIN_MS away is waited for in the worker (deliver()
// sleeps until it); a later one sends the delivery back to wait without an attempt, holding its
// slot (deliveries.rate_slot_at) so it goes when claimed again at that slot without reserving
// another. A delivery attempted and retried later reserves again: each send takes one slot.
import { sql, type Transaction } from "kysely";
import type { Database } from "../db/schema";
import type { Admission, Candidate, Gate } from "./admission";

/**
 * A slot at most this far away is waited for by the worker; a later one waits in the queue. Long
 * enough that a steady rate is mostly sent from the worker (no extra round trip per delivery) and
 * that a waiting delivery claimed PARK_LEAD_MS early goes; short enough that the sleeping
 * deliveries hold few of the worker's slots and no lease runs out.
 */
export const GO_WITHIN_MS = 1_500;

/**
 * A delivery waiting for its slot is due again this long before it: nothing wakes a worker when it
 * comes due, so it is found by the worker's poll (every second), which then has time to claim it
 * and sleep until the slot instead of sending it late (and a burst of late ones at once).
 */
export const PARK_LEAD_MS = 1_250;

interface Decided {
  id: string;
  /** Null: the hook's rate was removed meanwhile (its rate row says so); it goes now. */
  slot: Date | null;
  go: boolean;
  db_now: Date;
}

/**
 * The rate gate. For the candidates of rated hooks, ONE statement: reserves the slots of those that
 * hold none, decides on the database's clock which go now (the slot is less than GO_WITHIN_MS
 * away) and which wait, writes the slot of those that wait and clears it from those that go. No
 * statement when no candidate's hook has a rate.
 *
 * The rate reserved at is the rate row's once it exists (a PATCH writes it, resetRate), read under
 * the row's lock, not the batch's copy of the hook: a change that commits while a batch is on its
 * way is never reserved at the old rate.
 */
export const rateLimitGate: Gate = async (db, candidates) => {
  const rated = candidates.filter((c) => c.hook.rate_limit !== null);
  const admissions = new Map<string, Admission>();
  if (rated.length === 0) return admissions;
  // A slot counts only while the delivery waits for it: one that waited for its FIFO line or its
  // URL's breaker since, or was attempted, takes a new one.
  const holds = (c: Candidate) => c.delivery.waiting === "rate_limit" && c.delivery.rate_slot_at !== null;
  const held = rated.filter(holds);
  const fresh = rated.filter((c) => !holds(c));
  const perHook = new Map<string, { rate: number; count: number }>();
  const index: number[] = [];
  for (const { hook } of fresh) {
    const entry = perHook.get(hook.id) ?? { rate: hook.rate_limit ?? 0, count: 0 };
    index.push(entry.count++);
    perHook.set(hook.id, entry);
  }
  const hookIds = [...perHook.keys()].sort();
  const { rows } = await sql<Decided>`
    with wanted as (
      select * from unnest(${hookIds}::text[], ${hookIds.map((id) => perHook.get(id)?.count)}::int[],
        ${hookIds.map((id) => perHook.get(id)?.rate)}::float8[]) as w(hook_id, n, rate)
    ),
    -- The hook's first reservation starts now; later ones at greatest(tat, now), at the row's rate
    -- (none: its rate was removed, nothing is reserved). In hook id order, so two workers lock
    -- rows in the same order.
    reserved as (
      insert into hook_rates as r (hook_id, rate, tat)
      select hook_id, rate, statement_timestamp() + n / rate * interval '1 second' from wanted order by hook_id
      on conflict (hook_id) do update set tat = case when r.rate is null then r.tat
        else greatest(r.tat, clock_timestamp())
          + (select w.n from wanted w where w.hook_id = r.hook_id) / r.rate * interval '1 second' end
      returning r.hook_id, r.rate, r.tat
    ),
    slots as (
      select f.id, r.tat - (w.n - f.i) / r.rate * interval '1 second' as slot
      from unnest(${fresh.map((c) => c.delivery.id)}::text[], ${fresh.map((c) => c.hook.id)}::text[],
        ${index}::int[]) as f(id, hook_id, i)
      join reserved r on r.hook_id = f.hook_id
      join wanted w on w.hook_id = f.hook_id
      union all
      select * from unnest(${held.map((c) => c.delivery.id)}::text[],
        ${held.map((c) => c.delivery.rate_slot_at?.toISOString())}::timestamptz[])
    ),
    decided as (
      select id, slot,
        coalesce(slot < clock_timestamp() + ${GO_WITHIN_MS} * interval '1 millisecond', true) as go
      from slots
    ),
    -- Only where the lease is still this worker's, like every write of a claimed delivery.
    written as (
      update deliveries as d set rate_slot_at = case when decided.go then null else decided.slot end
      from decided
      where d.id = decided.id and d.lease_owner = ${rated[0]?.delivery.lease_owner ?? null}
        and d.rate_slot_at is distinct from (case when decided.go then null else decided.slot end)
      returning d.id
    )
    select id, slot, go, clock_timestamp() as db_now from decided`.execute(db);
  // Slots are on the database's clock; the worker sleeps and schedules on its own.
  const skewMs = Math.max(...rows.map((r) => r.db_now.getTime())) - Date.now();
  for (const { id, slot, go } of rows) {
    const local = slot === null ? null : slot.getTime() - skewMs;
    let admission: Admission = { kind: "go" };
    if (local !== null)
      admission = go
        ? { kind: "go", notBefore: new Date(local) }
        : { kind: "wait", why: "rate_limit", until: new Date(local - PARK_LEAD_MS) };
    admissions.set(id, admission);
  }
  // A hook many of whose fresh deliveries had to wait has a backlog: give the rest of it its slots
  // now. Not for a few (a steady flow a little over the rate): the pass reads the hook's due
  // deliveries, which costs more than sending a few back.
  const parkedPerHook = new Map<string, number>();
  const hookOf = new Map(fresh.map((c) => [c.delivery.id, c.hook.id]));
  for (const r of rows) {
    const hookId = hookOf.get(r.id);
    if (!r.go && hookId) parkedPerHook.set(hookId, (parkedPerHook.get(hookId) ?? 0) + 1);
  }
  for (const [hookId, parked] of [...parkedPerHook].sort()) {
    if (parked >= BACKLOG_AFTER) await parkBacklog(db, hookId);
  }
  return admissions;
};

/** Due deliveries of a backlogged hook given their slots at once, by one statement (see parkBacklog). */
export const BACKLOG_PARK_LIMIT = 5_000;

/** Fresh deliveries of one hook a batch sends back to wait that make it a backlog (see parkBacklog). */
export const BACKLOG_AFTER = 8;

/**
 * Gives up to BACKLOG_PARK_LIMIT of a hook's due, unclaimed deliveries their slots and sends them to
 * wait for them, in one statement, as the gate would one claimed batch at a time. Without it, the
 * workers claim a backlog of thousands a batch at a time only to send it back to wait, and
 * meanwhile the deliveries whose slots come due wait behind it in the queue (it is older), to go
 * late and at once (measured at 1,000/s with 72,000 waiting: nothing sent for 15 s, then bursts).
 * The deliveries it parks skip the earlier gates this time: when they come due at their slot they
 * are claimed and pass every gate (one held by its FIFO line or its URL's breaker then gives its
 * slot up unused). Only unleased deliveries that hold no slot (waiting for none): rows no claim,
 * change of the rate or other gate holds, so it waits for none of them.
 */
async function parkBacklog(db: Parameters<Gate>[0], hookId: string): Promise<void> {
  await sql`
    with backlog as (
      select id, row_number() over (order by next_attempt_at, id) - 1 as i
      from (
        select id, next_attempt_at from deliveries
        where hook_id = ${hookId} and status = 'pending' and next_attempt_at <= now()
          and lease_owner is null and waiting is null and rate_slot_at is null
        order by next_attempt_at
        limit ${BACKLOG_PARK_LIMIT}
        for update skip locked) as due
    ),
    reserved as (
      update hook_rates as r
      set tat = greatest(r.tat, clock_timestamp())
        + (select count(*) from backlog) / r.rate * interval '1 second'
      where r.hook_id = ${hookId} and r.rate is not null and exists (select 1 from backlog)
      returning r.tat, r.rate, (select count(*) from backlog) as n
    )
    update deliveries as d set
      rate_slot_at = s.slot,
      waiting = 'rate_limit',
      next_attempt_at = s.slot - ${PARK_LEAD_MS} * interval '1 millisecond',
      updated_at = now()
    from (
      select b.id, r.tat - (r.n - b.i) / r.rate * interval '1 second' as slot
      from backlog b cross join reserved r) as s
    where d.id = s.id`.execute(db);
}

/**
 * A hook's rate changed or was removed, in the hook's update transaction and before the hook's row
 * is written (rate row, then deliveries, then hooks: the order the gate and the recorder lock them
 * in, so none of them deadlock): the rate row takes the new rate (null: none) and its slot sequence
 * starts afresh; the deliveries waiting for a slot of the old rate are due now, without their
 * slot, to reserve again at the new one (or go at once without a rate). A delivery a worker holds
 * just loses its slot: written back as waiting without one, it is due at once (record.ts).
 */
export async function resetRate(
  tx: Transaction<Database>,
  hookId: string,
  rate: number | null,
): Promise<void> {
  await sql`
    insert into hook_rates (hook_id, rate, tat) values (${hookId}, ${rate}, now())
    on conflict (hook_id) do update set rate = excluded.rate, tat = excluded.tat`.execute(tx);
  await sql`
    update deliveries set
      rate_slot_at = null,
      waiting = case when lease_owner is null and waiting = 'rate_limit' then null else waiting end,
      next_attempt_at = case when lease_owner is null and waiting = 'rate_limit' then now()
        else next_attempt_at end,
      updated_at = now()
    where hook_id = ${hookId} and status = 'pending'
      and (waiting = 'rate_limit' or rate_slot_at is not null)`.execute(tx);
}
