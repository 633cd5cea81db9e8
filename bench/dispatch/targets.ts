// Issue 16's targets, judged from a run's figures: one line each, "met" or "missed" with what fell
// short. The bench still asserts nothing (its exit status does not depend on these).
import { f0, pct } from "./figures";
import type { PhaseResult } from "./phase";

/** Fan-out and function invocations on PostgreSQL: this many a second, sustained this long. */
export const TARGET_PER_SEC = 2_000;
export const TARGET_SECONDS = 60;
/** Ingest call to delivery (the receiver's arrival, or the delivery's finished_at), 99th percentile. */
export const TARGET_P99_MS = 250;
/** Two worker processes against one, where the receiver and the database are not the limit. */
export const TARGET_SCALE_OUT = 1.6;

/**
 * The phase's target line (PostgreSQL). The backlog is flat when it never held more than one
 * second of the load while the load ran.
 */
export function phaseTarget(r: PhaseResult): string {
  const p99 = pct(r.latencies, 99);
  const peak = Math.max(0, ...r.samples.filter((s) => s.t <= r.seconds + 0.5).map((s) => s.pending));
  const short = [
    r.completedPerSec < TARGET_PER_SEC && `${f0(r.completedPerSec)}/s`,
    !(p99 <= TARGET_P99_MS) && `p99 ${f0(p99)} ms`,
    peak > r.rate && `backlog peaked at ${peak} pending`,
    r.seconds < TARGET_SECONDS && `a ${r.seconds} s run`,
    r.rate < TARGET_PER_SEC && `posted at ${r.rate}/s`,
  ].filter((x): x is string => typeof x === "string");
  return (
    `[target ${r.what === "callback" ? "fan-out" : "function invocations"} on postgres, npm start: ` +
    `>= ${TARGET_PER_SEC}/s for ${TARGET_SECONDS} s, p99 <= ${TARGET_P99_MS} ms, backlog flat] ` +
    (short.length === 0 ? "met" : `missed (${short.join(", ")})`)
  );
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

/** The scale-out line: deliveries/s with two worker processes over one. */
export function scaleOutTarget(one: PhaseResult, two: PhaseResult): string {
  const ratio = two.completedPerSec / one.completedPerSec;
  return (
    `[target scale-out: 2 worker processes >= ${TARGET_SCALE_OUT}x one] ${ratio >= TARGET_SCALE_OUT ? "met" : "missed"}` +
    ` (${f0(one.completedPerSec)}/s -> ${f0(two.completedPerSec)}/s = ${f2(ratio)}x)`
  );
}
