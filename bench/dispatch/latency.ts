// Latency and completion over a phase's sustained window: when each event completed (a callback's
// arrival at the receiver, a function delivery's finished_at) against when its ingest call started.
import { sql } from "kysely";
import type { Db } from "../../api/src/db/connect";
import { capped, now, TIMEOUT } from "./wait";

/**
 * When each function event's delivery finished (performance.now), by sequence number: finished_at
 * is set in the transaction that records the attempt. NaN where it has not succeeded.
 */
export async function functionCompletions(db: Db, hookId: string, capacity: number): Promise<Float64Array> {
  const query = sql<{ seq: number; finished: Date | null }>`
    select (e.data->>'seq')::int as seq, d.finished_at as finished
    from deliveries d join events e on e.id = d.event_id
    where d.hook_id = ${hookId} and d.status = 'succeeded'`.execute(db);
  const got = await capped(query, 30_000);
  const rows = got === TIMEOUT ? [] : got.rows;
  // wall clock of a performance.now() instant
  const offset = Date.now() - now();
  const done = new Float64Array(capacity).fill(Number.NaN);
  for (const r of rows) if (r.finished) done[r.seq] = r.finished.getTime() - offset;
  return done;
}

export interface WindowFigures {
  /** Events that completed inside the window (whenever they were posted). */
  completedInWindow: number;
  /** Events posted in the window that had not completed by the end. */
  undelivered: number;
  /** Completion - start, ms, of each event posted in the window and completed. */
  latencies: Float64Array;
  /** Seconds after t0 at which each of `latencies` was posted, for the latency-over-time line. */
  latencyAt: Float64Array;
}

/** The window runs from `windowStart` to `loadEnd`; `started` and `completed` are by sequence number. */
export function windowFigures(
  started: Float64Array,
  completed: Float64Array,
  t0: number,
  windowStart: number,
  loadEnd: number,
): WindowFigures {
  const lat: number[] = [];
  const latAt: number[] = [];
  let completedInWindow = 0;
  let undelivered = 0;
  for (let i = 0; i < started.length; i++) {
    const d = completed[i]!;
    if (d >= windowStart && d <= loadEnd) completedInWindow++;
    const s = started[i]!;
    if (Number.isNaN(s) || s < windowStart) continue;
    if (Number.isNaN(d)) undelivered++;
    else {
      // finished_at has millisecond precision: never a negative latency.
      lat.push(Math.max(0, d - s));
      latAt.push((s - t0) / 1000);
    }
  }
  return {
    completedInWindow,
    undelivered,
    latencies: Float64Array.from(lat),
    latencyAt: Float64Array.from(latAt),
  };
}
