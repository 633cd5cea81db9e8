// The loopback receiver: tests/support's, answering 204 with keep-alive (at once, or after a set delay
// for the scale-out run), keeping no request.
// It stamps each callback's arrival time by the bench sequence number the event carries in its
// data; raw-loop requests go to /raw and are only answered.
import { type Receiver, startReceiver } from "../../tests/support/receiver";
import { now } from "./wait";

/** Arrival time (performance.now) per sequence number of the current phase; NaN = not yet. */
export class Arrivals {
  times = new Float64Array(0);

  /** A new phase of `size` events: nothing has arrived. */
  reset(size: number): void {
    this.times = new Float64Array(size).fill(Number.NaN);
  }

  /** Records the first arrival of the event in `body` (a retry's repeat keeps the first time). */
  stamp(body: string, at: number): void {
    try {
      const seq = JSON.parse(body)?.data?.seq;
      if (typeof seq === "number" && seq < this.times.length && Number.isNaN(this.times[seq]!))
        this.times[seq] = at;
    } catch {
      // not a bench event
    }
  }
}

/** `delayMs`: how long each answer takes (the scale-out run's slow receiver; default at once). */
export async function startBenchReceiver(delayMs = 0): Promise<{ receiver: Receiver; arrivals: Arrivals }> {
  const arrivals = new Arrivals();
  // Long-lived keep-alive: connections survive the pauses between phases and samples.
  const receiver = await startReceiver({ keep: false, keepAliveMs: 30_000 });
  receiver.reply((req) => {
    if (req.path !== "/raw") arrivals.stamp(req.body, now());
    return { status: 204, delayMs };
  });
  return { receiver, arrivals };
}
