// The embedded bench's printed figures (stdout; progress goes to stderr): per phase the ingest and
// delivery rates over the sustained window and their ratio against issue 16's target, latency,
// backlog samples and CPU ms per event by process.
import { cpus, loadavg } from "node:os";
import { f0, f1, pct } from "../dispatch/figures";
import { windowFigures } from "../dispatch/latency";
import { POSTERS } from "../dispatch/options";
import { latencyOverTime } from "../dispatch/report";
import { RATE, TARGET_RATIO } from "./options";
import type { PhaseRun } from "./phase";

export function printHeader(seconds: number): void {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  console.log(
    `hookrun embedded benchmark: one \`node dist/cli.js serve\` on a PGlite data dir (npm start's defaults), ` +
      `${RATE} events/s for ${seconds} s per phase from ${POSTERS} posters over HTTP; ` +
      `${cpus().length} cores, node ${process.version}, load average ${load} at the start`,
  );
}

/** Events whose ingest call started inside the window, per second of it. */
function ingestInWindow(r: PhaseRun, windowS: number): number {
  let n = 0;
  for (const s of r.posted.started) if (s >= r.windowStart && s <= r.loadEnd) n++;
  return n / windowS;
}

/** `completed`: when each event (by sequence number) completed, performance.now; NaN where it did not. */
export function printPhase(r: PhaseRun, completed: Float64Array): void {
  const windowS = (r.loadEnd - r.windowStart) / 1000;
  const fig = windowFigures(r.posted.started, completed, r.t0, r.windowStart, r.loadEnd);
  const ingestRate = ingestInWindow(r, windowS);
  const deliveryRate = fig.completedInWindow / windowS;
  const ratio = deliveryRate / ingestRate;
  const met = ratio >= TARGET_RATIO && ingestRate >= TARGET_RATIO * RATE;
  const lat = fig.latencies;
  const perEvent = (cpuS: number) => f1((Math.max(0, cpuS) * 1000) / Math.max(1, r.posted.ingested));
  const completion = r.what === "callback" ? "receiver arrival" : "deliveries.finished_at";
  console.log(`  ${r.what === "callback" ? "callback deliveries" : "function invocations"}:`);
  console.log(
    `    ingested            ${r.posted.ingested} events, ${f0(ingestRate)}/s over the sustained window (${windowS.toFixed(1)} s)` +
      ` (ingest call p50 ${f1(pct(r.posted.callMs, 50))} ms, p99 ${f1(pct(r.posted.callMs, 99))} ms)` +
      (r.posted.ingestErrors ? `, ${r.posted.ingestErrors} errors (first: ${r.posted.firstError})` : ""),
  );
  console.log(`    delivered           ${f0(deliveryRate)}/s over the same window`);
  console.log(
    `    ratio               ${ratio.toFixed(2)}x ingest   [target embedded ${r.what === "callback" ? "callbacks" : "functions"}: delivery >= ${TARGET_RATIO}x ingest at ${RATE} ev/s] ${met ? "met" : "missed"}`,
  );
  console.log(
    `    latency             p50 ${f1(pct(lat, 50))} ms, p99 ${f1(pct(lat, 99))} ms, max ${f1(pct(lat, 100))} ms` +
      ` (${completion} - ingest call start; ${lat.length} events of the window` +
      `${fig.undelivered ? `, ${fig.undelivered} not completed by the end` : ""})`,
  );
  console.log(`    latency over time   ${latencyOverTime({ ...fig, windowS })}`);
  console.log(
    "    backlog samples     (the service's counters: accepted - attempted; due = pending and due now)",
  );
  let prev = { t: 0, attempts: r.base.attempts, cpu: null as PhaseRun["samples"][number]["cpu"] | null };
  for (const s of r.samples) {
    const rate = (s.attempts - prev.attempts) / (s.t - prev.t);
    const busy = prev.cpu
      ? `  service ${((s.cpu.service - prev.cpu.service) / (s.t - prev.t)).toFixed(2)} cores`
      : "";
    console.log(
      `      t=${s.t.toFixed(0).padStart(4)} s  backlog ${String(s.ingested - r.base.ingested - (s.attempts - r.base.attempts)).padStart(7)}` +
        `  due ${String(s.due).padStart(7)}  attempts ${f0(rate).padStart(5)}/s${busy}`,
    );
    prev = { t: s.t, attempts: s.attempts, cpu: s.cpu };
  }
  console.log(
    r.drainMs === null
      ? "    drain               NOT every event attempted within the drain cap"
      : `    drain               every event attempted ${f0(r.drainMs)} ms after the load stopped`,
  );
  console.log(
    `    cpu ms per event    service ${perEvent(r.cpu.service)}, executors ${perEvent(r.cpu.executors)}, ` +
      `posters ${perEvent(r.cpu.posters)} (over the load; service ${(r.cpu.service / r.seconds).toFixed(2)} cores busy)`,
  );
}
