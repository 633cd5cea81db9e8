// The load's schedule and its tally, shared by both load generators (load.ts in the bench's process,
// posters.ts in its own): event i is due at t0 + i / rate and carries its sequence number i in its
// data; posters take events in order, and one behind schedule posts at once.
import { sleep } from "./wait";

export interface Schedule {
  rate: number;
  seconds: number;
  /** The most events to post (the tally's size). */
  capacity: number;
  posters: number;
  /** When event 0 is due, on `now`'s clock. */
  t0: number;
  now(): number;
  /** True once the caller gives up (posts still unanswered are abandoned). */
  stopped?(): boolean;
}

/** Runs the schedule: `post(i, body)` for each event that falls due before the end. */
export async function runSchedule(
  s: Schedule,
  post: (i: number, body: string) => Promise<void>,
): Promise<void> {
  const end = s.t0 + s.seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: s.posters }, async () => {
      for (;;) {
        const i = next++;
        const due = s.t0 + (i * 1000) / s.rate;
        if (due >= end || i >= s.capacity) return;
        const wait = due - s.now();
        // Always give the event loop a turn: posting in-process onto PGlite involves no I/O, so a
        // poster behind schedule would otherwise chain microtasks forever and starve the worker's
        // sockets and timers (real clients arrive over sockets, which yield by themselves).
        if (wait > 1) await sleep(wait);
        else await new Promise<void>((resolve) => setImmediate(resolve));
        if (s.now() >= end || s.stopped?.()) return;
        await post(i, JSON.stringify({ type: "verification", data: { seq: i, bench: "dispatch" } }));
      }
    }),
  );
}

/** What the ingest calls did; `started` and `callMs` are on the generator's clock. */
export class Tally {
  /** When each event's ingest call started; NaN where it was not ingested. */
  readonly started: Float64Array;
  /** Each ingest call's duration, ms. */
  readonly callMs: number[] = [];
  ingested = 0;
  ingestErrors = 0;
  firstError = "";

  constructor(capacity: number) {
    this.started = new Float64Array(capacity).fill(Number.NaN);
  }

  /** Event i's ingest call: `call` resolves to the answer's status and text; 202 is ingested. */
  async record(i: number, now: () => number, call: () => Promise<{ status: number; text: string }>) {
    const t = now();
    this.started[i] = t;
    try {
      const res = await call();
      if (res.status === 202) this.ingested++;
      else this.failed(i, `${res.status} ${res.text.slice(0, 200)}`);
    } catch (error) {
      this.failed(i, String(error));
    }
    this.callMs.push(now() - t);
  }

  private failed(i: number, message: string): void {
    this.ingestErrors++;
    this.started[i] = Number.NaN;
    this.firstError ||= message;
  }
}

/** A tally's figures, as data (what the posters process sends back). */
export type TallyFigures = Pick<Tally, "started" | "callMs" | "ingested" | "ingestErrors" | "firstError">;
