// FIFO lines (issue 17): the deliveries of a FIFO hook to one URL, in ingest order (line_seq, from
// one sequence). Only the line's earliest pending delivery is attempted; the dispatch gate
// (dispatch/fifo.ts) parks the others (due at 'infinity', waiting 'fifo') and the line's head, once
// final, releases the next. Gates hold the line's lock (a transaction-level advisory lock) while
// they decide, so two never let two deliveries of a line go. Parking and ending a head need no lock
// between them: each side writes, commits, and then looks (releaseLineHeads), so whichever commits
// last sees the other's write, and a parked delivery is never left behind by a head that ended.
import { createHash } from "node:crypto";
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect";
import { wakeWorkersCall } from "./channels";
import { wakePayload } from "./wake";

/** A FIFO line: a hook's deliveries to one target. */
export interface Line {
  hookId: string;
  target: string;
}

/**
 * The earliest pending delivery of the line in scope as `line` (hook_id, target): the line's head,
 * as releaseLineHeads and releaseStalledLines read it (hookrun_fifo_admit's migration holds its own
 * copy: migrations are history).
 */
const lineHead = sql<string | null>`(
  select d.id from deliveries d
  where d.hook_id = line.hook_id and d.target = line.target
    and d.status = 'pending' and d.line_seq is not null
  order by d.line_seq limit 1)`;

/** The next place in any line: ingest order across the whole database. */
export const nextLineSeq = (): RawBuilder<number> => sql<number>`nextval('deliveries_line_seq')`;

/** The line's advisory lock key: 64 bits of a hash, as the signed bigint Postgres takes. */
export function lineKey({ hookId, target }: Line): string {
  return createHash("sha256").update(`fifo\n${hookId}\n${target}`).digest().readBigInt64BE(0).toString();
}

/** The distinct lines among these. */
export function distinctLines(lines: Iterable<Line>): Line[] {
  const byKey = new Map<string, Line>();
  for (const line of lines) byKey.set(`${line.hookId}\n${line.target}`, line);
  return [...byKey.values()];
}

/** The lines' lock keys, once each, in the order every locker takes them. */
export function lockKeys(lines: Line[]): string[] {
  return [...new Set(lines.map(lineKey))].sort((a, b) =>
    BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
  );
}

/**
 * Takes the lines' locks until the transaction ends, in key order: two transactions locking
 * overlapping lines wait for each other instead of deadlocking. Locks come before any row lock
 * (a delivery's, a hook's) in every transaction that takes them. unnest walks the sorted array in
 * order, so the locks are taken in that order.
 */
export async function lockLines(tx: Db, lines: Line[]): Promise<void> {
  const keys = lockKeys(lines);
  if (keys.length === 0) return;
  await sql`select count(pg_advisory_xact_lock(k)) from unnest(${keys}::bigint[]) as k`.execute(tx);
}

/**
 * Each line's earliest pending delivery, if the gate parked it and nothing of the line is in flight,
 * is due now, and the workers are woken. Run after a write that may free a line (a head ended, a
 * delivery parked) has committed, never in its transaction: see the top of this file.
 */
export async function releaseLineHeads(db: Db, lines: Line[]): Promise<void> {
  if (lines.length === 0) return;
  await sql`
    with line as (
      select distinct hook_id, target
      from unnest(${lines.map((l) => l.hookId)}::text[], ${lines.map((l) => l.target)}::text[])
        as l(hook_id, target)
    ),
    head as (
      select ${lineHead} as id
      from line
      where not exists (
        select 1 from deliveries d
        where d.hook_id = line.hook_id and d.target = line.target
          and d.status = 'pending' and d.line_admitted and d.lease_owner is not null)
    ),
    released as (
      update deliveries d set next_attempt_at = now(), waiting = null, updated_at = now()
      from head
      where d.id = head.id and d.waiting = 'fifo' and d.lease_owner is null
      returning d.id
    )
    select ${wakeWorkersCall(wakePayload(lines.map((l) => l.target)))}
    from (select 1 from released limit 1) as any_released`.execute(db);
}

/**
 * The safety net: every line whose earliest pending delivery is parked gets it released. That
 * happens when a line's head ends outside the worker (canceled by hand, a URL removed) or its
 * worker died between the two. A line is found by a skip scan of deliveries_line_idx (one index
 * probe per line, however long the lines), its head by one more. Released in error, a delivery is
 * parked again by the gate. Answers how many it released.
 */
export async function releaseStalledLines(db: Db): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    with recursive line as (
      (select hook_id, target from deliveries
       where status = 'pending' and line_seq is not null
       order by hook_id, target limit 1)
      union all
      select next.hook_id, next.target from line, lateral (
        select d.hook_id, d.target from deliveries d
        where d.status = 'pending' and d.line_seq is not null
          and (d.hook_id, d.target) > (line.hook_id, line.target)
        order by d.hook_id, d.target limit 1) as next
    ),
    head as (
      select ${lineHead} as id
      from line
    )
    update deliveries d set next_attempt_at = now(), waiting = null, updated_at = now()
    from head
    where d.id = head.id and d.waiting = 'fifo' and d.lease_owner is null and d.status = 'pending'
    returning d.id`.execute(db);
  return rows.length;
}

/**
 * A hook stopped being FIFO: its parked deliveries are due now, and the workers woken. Takes the
 * locks of the lines of `targets` (its URLs), so a gate parking one of them at this moment either
 * finishes first (and its park is released here) or sees the hook's new setting.
 */
export async function releaseHookLines(tx: Db, hookId: string, targets: string[]): Promise<void> {
  await lockLines(
    tx,
    targets.map((target) => ({ hookId, target })),
  );
  await sql`
    with released as (
      update deliveries set next_attempt_at = now(), waiting = null, updated_at = now()
      where hook_id = ${hookId} and status = 'pending' and waiting = 'fifo' and lease_owner is null
      returning id
    )
    select ${wakeWorkersCall(wakePayload(targets))}
    from (select 1 from released limit 1) as any_released`.execute(tx);
}
