// The FIFO gate (issue 17): a FIFO hook's URL receives the hook's events in ingest order, one at a
// time. A claimed delivery in a line (queue/fifo-lines.ts) goes only if it is its line's earliest
// pending delivery and no other delivery of the line is in flight; any other is parked by the gate
// itself, in the transaction that holds the line's lock (the recorder does not write these parks
// again). Once parked, the gate looks whether the head ended meanwhile (releaseLineHeads), as the
// head's end looks for parked deliveries once written (record.ts): neither misses the other.
// A head that fails keeps its retry schedule and its line waits; once it succeeds or is dead, the
// next in line goes.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import { distinctLines, type Line, lockKeys, releaseLineHeads } from "../queue";
import type { Admission, Candidate, Gate } from "./admission";
import type { Finished } from "./deliver";

/**
 * A delivery this gate parked: already written (pending, due at 'infinity', lease gone), so the
 * recorder leaves it out.
 */
export const parkedByFifoGate = (finished: Finished): boolean =>
  finished.kind === "waiting" && finished.why === "fifo";

const PARKED: Admission = { kind: "wait", why: "fifo", until: null };
const GO: Admission = { kind: "go" };

/** The candidates in a line: of a FIFO hook, created while it was FIFO. */
function inLine(candidates: Candidate[]): Candidate[] {
  return candidates.filter((c) => c.hook.kind === "callback" && c.hook.fifo && c.delivery.line_seq !== null);
}

const linesOf = (candidates: Candidate[]): Line[] =>
  distinctLines(candidates.map((c) => ({ hookId: c.delivery.hook_id, target: c.delivery.target })));

export const fifoGate: Gate = async (db, candidates) => {
  const lined = inLine(candidates);
  if (lined.length === 0) return new Map();
  const lines = linesOf(lined);
  const goes = await retriedOnDeadlock(() => decide(db, lined, lines));
  // Parked and committed: if a head ended meanwhile, its own look may have come too early.
  const parked = lined.filter((c) => !goes.has(c.delivery.id));
  if (parked.length > 0) await releaseLineHeads(db, linesOf(parked));
  return new Map(lined.map((c) => [c.delivery.id, goes.has(c.delivery.id) ? GO : PARKED]));
};

/**
 * The decision, in one statement (hookrun_fifo_admit, see its migration): under the lines' locks,
 * which candidates go; the others parked, the ones that go marked as their line's one in flight.
 */
async function decide(db: Db, lined: Candidate[], lines: Line[]): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    select hookrun_fifo_admit(
      ${lockKeys(lines)}::bigint[],
      ${lined.map((c) => c.delivery.id)}::text[], ${lined.map((c) => c.delivery.hook_id)}::text[],
      ${lined.map((c) => c.delivery.target)}::text[], ${lined.map((c) => c.delivery.lease_owner)}::text[]
    ) as id`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/**
 * The park's row locks may meet a heartbeat renewing the same leases in another order; PostgreSQL
 * then aborts one of the two. The gate tries again rather than failing the batch (whose deliveries
 * would wait out their leases).
 */
async function retriedOnDeadlock<T>(run: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const deadlock = (error as { code?: unknown } | null)?.code === "40P01";
      if (!deadlock || attempt >= tries) throw error;
    }
  }
}
