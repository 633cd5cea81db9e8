// One live tail of the execution log: sends each new matching attempt once, in the order it is
// found, woken by the hub's NOTIFY and by a polling backstop, with heartbeats in between.
//
// Attempts are stamped with their transaction's start time, so one can commit after a later-stamped
// one was already sent. Wake-ups read strictly after the newest position sent (cheap); every poll
// also sweeps back `lookbackMs` behind it and sends what it had not sent yet (remembered by id).
import { sql } from "kysely";
import type { Db } from "../db/connect";
import type { LogSummaryValue } from "../schemas/logs";
import type { AttemptsHub } from "./log-hub";
import { hookNames, type LogFilter, newerAttempts, presentSummary } from "./logs";
import { encodeCursor, type Position } from "./pagination";

export interface TailOptions {
  /** Polling backstop, and how often late commits are swept up (default 2 s). */
  pollMs: number;
  /** A comment line when nothing else was written for this long (default 15 s). */
  heartbeatMs: number;
  /** How far behind the newest sent attempt a late commit is still caught (default 5 s). */
  lookbackMs: number;
}

export const DEFAULT_TAIL_OPTIONS: TailOptions = { pollMs: 2_000, heartbeatMs: 15_000, lookbackMs: 5_000 };

export interface TailSink {
  /** `id` is the resume cursor: everything up to it was sent. */
  send(id: string, summary: LogSummaryValue): Promise<void>;
  heartbeat(): Promise<void>;
}

const BATCH = 200;

/** The database's now, so "only new attempts" does not depend on this host's clock. */
export async function currentPosition(db: Db): Promise<Position> {
  const { rows } = await sql<{
    at: string;
  }>`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`.execute(db);
  return { at: rows[0]?.at ?? new Date().toISOString(), id: "" };
}

/**
 * Runs until `signal` aborts, or until `stillAllowed` says no (asked at every sweep, every
 * `pollMs`): a revoked key or an ended portal session stops its tail within one sweep, instead of
 * reading the workspace's attempts for as long as it holds the connection. Always leaves the hub.
 */
export async function runTail(
  deps: { db: Db; hub: AttemptsHub; options: TailOptions },
  tail: { workspaceId: string; filter: LogFilter; from: Position },
  sink: TailSink,
  signal: AbortSignal,
  stillAllowed: () => Promise<boolean>,
): Promise<void> {
  const waker = new Waker();
  const leave = await deps.hub.subscribe(tail.workspaceId, () => waker.wake());
  const state = new TailState(tail.from, deps.options.lookbackMs);
  let lastWrite = Date.now();
  let lastSweep = 0;
  try {
    while (!signal.aborted) {
      const sweep = Date.now() - lastSweep >= deps.options.pollMs;
      if (sweep) {
        lastSweep = Date.now();
        if (!(await stillAllowed())) return;
      }
      if (await catchUp(deps.db, tail, state, sweep, sink, signal)) lastWrite = Date.now();
      const untilHeartbeat = lastWrite + deps.options.heartbeatMs - Date.now();
      const untilSweep = lastSweep + deps.options.pollMs - Date.now();
      await waker.wait(Math.max(0, Math.min(untilHeartbeat, untilSweep)), signal);
      if (!signal.aborted && Date.now() - lastWrite >= deps.options.heartbeatMs) {
        await sink.heartbeat();
        lastWrite = Date.now();
      }
    }
  } finally {
    await leave();
  }
}

/** Sends what is new; true when anything was sent. */
async function catchUp(
  db: Db,
  tail: { workspaceId: string; filter: LogFilter },
  state: TailState,
  sweep: boolean,
  sink: TailSink,
  signal: AbortSignal,
): Promise<boolean> {
  let position = sweep ? state.sweepStart() : state.newest;
  let sentAny = false;
  for (;;) {
    const rows = await newerAttempts(db, tail.workspaceId, tail.filter, position, BATCH).execute();
    const fresh = rows.filter((row) => !state.wasSent(row.id));
    const names = await hookNames(db, fresh);
    for (const row of fresh) {
      if (signal.aborted) return sentAny;
      state.sent({ at: row.position, id: row.id });
      await sink.send(encodeCursor(state.newest), presentSummary(row, names));
      sentAny = true;
    }
    const last = rows.at(-1);
    if (rows.length < BATCH || !last) return sentAny;
    position = { at: last.position, id: last.id };
  }
}

/** Where the tail stands: the floor it never goes below, the newest sent, and recent ids sent. */
class TailState {
  newest: Position;
  private readonly floor: Position;
  private readonly recent = new Map<string, number>();

  constructor(
    from: Position,
    private readonly lookbackMs: number,
  ) {
    this.floor = { at: normalize(from.at), id: from.id };
    this.newest = this.floor;
  }

  wasSent(id: string): boolean {
    return this.recent.has(id);
  }

  sent(position: Position): void {
    const at = normalize(position.at);
    this.recent.set(position.id, Date.parse(at));
    if (compare({ at, id: position.id }, this.newest) > 0) this.newest = { at, id: position.id };
    // Ids older than the sweep window can never be read again: forget them.
    const oldest = Date.parse(this.newest.at) - this.lookbackMs - 1_000;
    for (const [id, ms] of this.recent) if (ms < oldest) this.recent.delete(id);
  }

  /** lookbackMs behind the newest sent, but never below where the client asked to start. */
  sweepStart(): Position {
    const back = {
      at: normalize(new Date(Date.parse(this.newest.at) - this.lookbackMs).toISOString()),
      id: "",
    };
    return compare(back, this.floor) > 0 ? back : this.floor;
  }
}

/** Fixed width (six fraction digits), so positions compare as strings. */
function normalize(at: string): string {
  const [seconds, fraction = ""] = at.replace(/Z$/, "").split(".");
  return `${seconds}.${fraction.padEnd(6, "0").slice(0, 6)}Z`;
}

function compare(a: Position, b: Position): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

/** A wake-up that is not lost when it comes while no one waits. */
class Waker {
  private pending = false;
  private resolve: (() => void) | null = null;

  wake(): void {
    if (this.resolve) this.resolve();
    else this.pending = true;
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.resolve = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.resolve = done;
    });
  }
}
