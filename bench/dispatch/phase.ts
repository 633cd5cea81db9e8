// One phase (callback deliveries or function invocations) on one database: post the load to its
// hook, sample the backlog, wait for it to drain, and gather the figures the report prints.
import type { Db } from "../../api/src/db/connect";
import type { BenchApp } from "./app";
import { backlog, drain, type Sample, startSampler } from "./backlog";
import { costLine, cpuLine, cpuSnap } from "./cpu";
import { pct, progress } from "./figures";
import { functionCompletions, windowFigures } from "./latency";
import { postFromChild, postInProcess, startPostersProcess } from "./load";
import { BENCH_HOOK_FILTER, type DatabaseKind, FILTER, FN_SOURCE } from "./options";
import { type QueryCounter, queryLines, xactCount } from "./query-counter";
import type { Arrivals } from "./receiver";
import { capped, now, TIMEOUT } from "./wait";

/** What every phase of a database's run shares. */
export interface PhaseEnv {
  kind: DatabaseKind;
  /** The db without the counting plugin, for the bench's own sampling queries. */
  rawDb: Db;
  counter: QueryCounter | null;
  bench: BenchApp;
  arrivals: Arrivals;
  receiverUrl: string;
  /** Base URLs of the API processes (BENCH_API); empty: post in-process to the bench's app. */
  apiUrls: string[];
}

export type PhaseKind = "callback" | "function";

/** Each phase's workspace and hook. */
const phases = {
  callback: {
    label: "callback deliveries",
    workspace: "bench-callbacks",
    hook: (receiverUrl: string) => ({
      kind: "callback",
      name: "bench-callback",
      events: ["verification"],
      method: "POST",
      urls: [`${receiverUrl}/hook`],
      signing: { scheme: "standard-webhooks" },
    }),
  },
  function: {
    label: "function invocations",
    workspace: "bench-functions",
    hook: () => ({ kind: "function", name: "bench-function", events: ["verification"], source: FN_SOURCE }),
  },
};

export interface PhaseResult {
  what: PhaseKind;
  label: string;
  seconds: number;
  rate: number;
  ingested: number;
  ingestErrors: number;
  firstError: string;
  ingestPerSec: number;
  ingestCallP50: number;
  ingestCallP99: number;
  windowS: number;
  completedPerSec: number;
  latencies: Float64Array;
  /** Seconds after the start at which each of `latencies` was posted. */
  latencyAt: Float64Array;
  undelivered: number;
  samples: Sample[];
  drainMs: number | null;
  drainLeft: number;
  final: { pending: number; succeeded: number; other: number };
  cpuLoad: string;
  /** CPU milliseconds per ingested event, by process: robust to other load on the machine. */
  cpuCost: string;
  queries: string[];
}

/** Creates the phase's workspace and hook, then posts `seconds` of load to it at `rate` events/s. */
export async function runPhase(
  env: PhaseEnv,
  what: PhaseKind,
  seconds: number,
  rate: number,
): Promise<PhaseResult> {
  const { label } = phases[what];
  progress(`${env.kind}: creating the ${what} workspace and hook`);
  const ws = await env.bench.workspace(phases[what].workspace);
  const hook = phases[what].hook(env.receiverUrl);
  const hookId = await env.bench.createHook(
    ws.ws,
    ws.admin,
    FILTER ? { ...hook, filter: BENCH_HOOK_FILTER } : hook,
  );
  const capacity = Math.ceil(rate * seconds) + 16;
  if (what === "callback") env.arrivals.reset(capacity);
  env.counter?.take();
  const xact0 = await xactCount(env.rawDb, env.kind);

  // A posters process starts before the clock does; its schedule begins half a second after that,
  // time for the job to reach it.
  const postersProcess = env.apiUrls.length > 0 ? await startPostersProcess() : null;
  const t0 = now() + (postersProcess ? 500 : 0);
  const load = { path: `/v1/workspaces/${ws.ws}/events`, key: ws.ingest, rate, seconds, capacity, t0 };
  const cpu0 = cpuSnap();
  const posting = postersProcess
    ? postFromChild(postersProcess, env.apiUrls, load)
    : postInProcess(env.bench, load);
  const sampler = startSampler(env.rawDb, hookId, label, t0, posting.ingestedSoFar);
  const posted = await posting.result;
  const cpu1 = cpuSnap();
  posted.done();
  const { loadEnd } = posted;

  const { drainMs, drainLeft } = await drain(env.rawDb, hookId, loadEnd);
  const samples = await sampler.stop();
  const finalOrTimeout = await capped(backlog(env.rawDb, hookId), 30_000);
  const final =
    finalOrTimeout === TIMEOUT
      ? { pending: Number.NaN, done: Number.NaN, failed: Number.NaN }
      : finalOrTimeout;

  const queries = env.counter
    ? queryLines(env.counter.take(), final.done + final.failed, xact0, await xactCount(env.rawDb, env.kind))
    : [];

  // Latency and completion over the sustained window (the first 5 s, or 20% of a short run, is warm-up).
  const warmup = Math.min(5_000, seconds * 200);
  const windowStart = t0 + warmup;
  const windowS = (loadEnd - windowStart) / 1000;
  const completed =
    what === "callback" ? env.arrivals.times : await functionCompletions(env.rawDb, hookId, capacity);
  const figures = windowFigures(posted.started, completed, t0, windowStart, loadEnd);

  return {
    what,
    label,
    seconds,
    rate,
    ingested: posted.ingested,
    ingestErrors: posted.ingestErrors,
    firstError: posted.firstError,
    ingestPerSec: posted.ingested / ((loadEnd - t0) / 1000),
    ingestCallP50: pct(posted.callMs, 50),
    ingestCallP99: pct(posted.callMs, 99),
    windowS,
    completedPerSec: figures.completedInWindow / windowS,
    latencies: figures.latencies,
    latencyAt: figures.latencyAt,
    undelivered: figures.undelivered,
    samples,
    drainMs,
    drainLeft,
    final: { pending: final.pending, succeeded: final.done, other: final.failed },
    cpuLoad: cpuLine(cpu0, cpu1),
    cpuCost: costLine(cpu0, cpu1, posted.ingested),
    queries,
  };
}
