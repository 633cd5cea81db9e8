// The printed report (stdout): the run's header, the raw loop's line, each database's setup line and
// each phase's figures. Progress goes to stderr (figures.ts), so stdout holds just these.
import { cpus } from "node:os";
import type { CpuSnap } from "./cpu";
import { cpuLine } from "./cpu";
import { f0, f1, pct } from "./figures";
import { DRAIN_CAP_S, FN_RATE, POSTERS, RATE, RAW_SECONDS, type RunSettings } from "./options";
import type { PhaseResult } from "./phase";
import type { RawResult } from "./raw-loop";
import { phaseTarget } from "./targets";

export function printHeader(): void {
  console.log(
    `hookrun dispatch benchmark (this machine: ${cpus().length} cores, node ${process.version}; ` +
      `callbacks ${RATE}/s, functions ${FN_RATE}/s; figures and target lines, nothing asserted)`,
  );
}

export function printRaw(raw: RawResult): void {
  console.log(
    `raw fetch loop (undici keep-alive, 64 in flight, ${RAW_SECONDS} s): ${f0(raw.perSec)} requests/s, ` +
      `p50 ${f1(raw.p50)} ms, p99 ${f1(raw.p99)} ms${raw.errors ? `, ${raw.errors} errors` : ""}; ${raw.cpu}`,
  );
}

/** How a database's run was set up: the worker, where it ran, and how events were ingested. */
export function printSetup(
  kind: string,
  settings: RunSettings,
  workerWhere: string,
  apiProcesses: number,
  cached: boolean,
): void {
  const { concurrency, perHost } = settings.workerLimits;
  const workerInApi = settings.mode === "serve";
  console.log(
    `${kind}: DispatchWorker concurrency ${concurrency}, host ceiling ${perHost} (adaptive per host; poll 1 s), FunctionRuntime defaults (2 executors), ${workerWhere}; ` +
      (apiProcesses > 0
        ? `ingest through ${apiProcesses} \`serve${workerInApi ? "" : " --no-worker"}\` process(es), ${POSTERS} posters in their own process (HTTP keep-alive)`
        : `ingest in-process to the bench's app${cached ? " (with the key and catalog cache)" : " (no cache in this tree)"}`),
  );
}

/** p50/p99 of the events posted in each tenth of the window: shows whether the tail is warm-up or steady. */
export function latencyOverTime(r: Pick<PhaseResult, "latencies" | "latencyAt" | "windowS">): string {
  const from = r.latencyAt.reduce((m, t) => Math.min(m, t), Number.POSITIVE_INFINITY);
  const step = Math.max(1, Math.round(r.windowS / 10));
  const parts: string[] = [];
  for (let t = Math.floor(from); t < from + r.windowS; t += step) {
    const slice = r.latencies.filter((_, i) => r.latencyAt[i]! >= t && r.latencyAt[i]! < t + step);
    if (slice.length > 0) parts.push(`${t}-${t + step} s: ${f0(pct(slice, 50))}/${f0(pct(slice, 99))}`);
  }
  return `${parts.join(", ")} (p50/p99 ms by when the event was posted)`;
}

/** `judged`: the run is the targets' (PostgreSQL, `npm start`'s topology): print the phase's target line. */
export function printPhase(r: PhaseResult, raw: RawResult | null, judged: boolean): void {
  const { what } = r;
  const lat = r.latencies;
  console.log(`  ${r.label}: target ${r.rate}/s for ${r.seconds} s, ${POSTERS} concurrent posters`);
  console.log(
    `    ingested            ${r.ingested} events, ${f0(r.ingestPerSec)} events/s achieved` +
      ` (ingest call p50 ${f1(r.ingestCallP50)} ms, p99 ${f1(r.ingestCallP99)} ms)` +
      (r.ingestErrors ? `, ${r.ingestErrors} errors (first: ${r.firstError})` : ""),
  );
  console.log(
    `    ${what === "callback" ? "deliveries completed" : "invocations completed"} ${f0(r.completedPerSec)}/s over the sustained window (${r.windowS.toFixed(1)} s after warm-up)`,
  );
  console.log(
    `    latency             p50 ${f1(pct(lat, 50))} ms, p99 ${f1(pct(lat, 99))} ms, max ${f1(pct(lat, 100))} ms` +
      ` (${lat.length} events ingested in the window${r.undelivered ? `, ${r.undelivered} not delivered by the end` : ""};` +
      ` ${what === "callback" ? "receiver arrival - ingest call" : "deliveries.finished_at - ingest call"})`,
  );
  console.log(`    latency over time   ${latencyOverTime(r)}`);
  console.log("    backlog samples     (pending deliveries of this hook; completed in the interval)");
  let prevDone = 0;
  let prevT = 0;
  let prevCpu: CpuSnap | null = null;
  for (const s of r.samples) {
    const rate = (s.done - prevDone) / (s.t - prevT);
    console.log(
      `      t=${s.t.toFixed(0).padStart(4)} s  pending ${String(s.pending).padStart(7)}  done ${String(s.done).padStart(7)}` +
        `  (${f0(rate).padStart(5)}/s)  event-loop ${(s.elu * 100).toFixed(0)}%` +
        (prevCpu ? `  ${cpuLine(prevCpu, s.cpu).replace(/^cpu \(cores busy, of \d+\): /, "")}` : ""),
    );
    prevDone = s.done;
    prevT = s.t;
    prevCpu = s.cpu;
  }
  console.log(
    r.drainMs === null
      ? `    drain               NOT drained after ${DRAIN_CAP_S} s: ${Number.isNaN(r.drainLeft) ? "backlog query starved" : `${r.drainLeft} still pending`}`
      : `    drain               backlog drained ${f0(r.drainMs)} ms after the load stopped`,
  );
  console.log(
    `    final               succeeded ${r.final.succeeded}, failed/canceled ${r.final.other}, pending ${r.final.pending}`,
  );
  console.log(`    load-window ${r.cpuLoad}`);
  console.log(`    cpu cost            ${r.cpuCost}`);
  if (raw && what === "callback")
    console.log(
      `    ratio hookrun / raw ${(r.completedPerSec / raw.perSec).toFixed(3)} (callback deliveries/s over raw fetch requests/s)`,
    );
  for (const q of r.queries) console.log(`    ${q}`);
  if (judged) console.log(`    ${phaseTarget(r)}`);
}
