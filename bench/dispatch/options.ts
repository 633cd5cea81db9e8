// The dispatch bench's settings, read once from the environment: every BENCH_* knob, and the
// worker's limits from the variables the service itself reads.
import type { EgressOptions } from "@hookrun/runtime";
import { DEFAULT_HOST_CEILING } from "../../api/src/dispatch/host-limit";
import { DEFAULT_CONCURRENCY } from "../../api/src/dispatch/lanes";

export type DatabaseKind = "postgres" | "pglite";

/** A positive number from the environment variable `name`, else `fallback` (bench/http's settings too). */
export const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return process.env[name] && Number.isFinite(v) && v > 0 ? v : fallback;
};

/**
 * BENCH_RATE: callback events posted per second (default 2100: the 2,000/s target and a little
 * over; posting faster than the machine delivers only grows the backlog and measures that).
 */
export const RATE = num("BENCH_RATE", 2100);
/** BENCH_FN_RATE: function events posted per second (default 2100, likewise). */
export const FN_RATE = num("BENCH_FN_RATE", 2100);
/** BENCH_POSTERS: concurrent posters, in-process or in the posters process (default 32). */
export const POSTERS = num("BENCH_POSTERS", 32);
/** BENCH_RAW_SECONDS: length of the raw fetch loop (default 10). */
export const RAW_SECONDS = num("BENCH_RAW_SECONDS", 10);
/** BENCH_DRAIN_SECONDS: how long a phase waits for its backlog to drain after the load (default 120). */
export const DRAIN_CAP_S = num("BENCH_DRAIN_SECONDS", 120);
/** BENCH_STALL_SECONDS: a main event loop that makes no turn this long is killed (default 60). */
export const STALL_S = num("BENCH_STALL_SECONDS", 60);
/** How often a phase samples its backlog. */
export const SAMPLE_MS = 5_000;
/** BENCH_DATABASE_URL: the PostgreSQL server; a fresh database is created beside it and dropped. */
export const PG_URL = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
/** BENCH_ONLY=postgres|pglite: that database alone. */
export const ONLY = process.env.BENCH_ONLY;
/**
 * BENCH_FILTER=1: each phase's hook has a filter that every bench event passes, so the same
 * deliveries are made and the run's cost differs from one without it by matching alone.
 */
export const FILTER = process.env.BENCH_FILTER === "1";
/** The filter BENCH_FILTER puts on the hooks: a few conditions, as a real one has. */
export const BENCH_HOOK_FILTER = {
  type: "verification",
  "data.seq": { $gte: 0 },
  $or: [{ "data.bench": { $in: ["dispatch", "other"] } }, { "context.source": "web" }],
};
/** BENCH_PHASE=callback|function: that phase alone. */
export const PHASE = process.env.BENCH_PHASE;
/**
 * BENCH_COUNT_QUERIES=1: count queries per delivery through a Kysely plugin (a measurement aid;
 * slightly perturbs timing).
 */
export const COUNT_QUERIES = process.env.BENCH_COUNT_QUERIES === "1";
/**
 * BENCH_API=N (PostgreSQL): ingest through N `hookrun serve --no-worker` processes on their own ports,
 * each with its production key and catalog cache, fed over HTTP by posters in their own process
 * (posters.ts); builds dist/ first. Without it, events are posted in-process to an app in the
 * bench's process, with the same cache.
 */
const API_PROCESSES = Math.floor(num("BENCH_API", 0));
/** BENCH_WORKERS=N: with BENCH_WORKER=process, N `hookrun worker` processes (default 1). */
export const WORKERS = Math.max(1, Math.floor(num("BENCH_WORKERS", 1)));
/**
 * BENCH_SCALE_OUT=1 (PostgreSQL): after the main run, the scale-out comparison (scale-out.ts): the
 * callback phase with 1, then 2 `hookrun worker` processes, each capped at BENCH_SCALE_CONCURRENCY
 * in flight (default 16) to a receiver answering after BENCH_SCALE_DELAY_MS (default 100), at
 * BENCH_SCALE_RATE events/s (default: 1.25 times what two capped workers can deliver), for
 * BENCH_SCALE_SECONDS each (default 30).
 */
export const SCALE_OUT = process.env.BENCH_SCALE_OUT === "1";
export const SCALE_CONCURRENCY = Math.floor(num("BENCH_SCALE_CONCURRENCY", 16));
export const SCALE_DELAY_MS = num("BENCH_SCALE_DELAY_MS", 100);
export const SCALE_SECONDS = num("BENCH_SCALE_SECONDS", 30);
export const SCALE_RATE = num("BENCH_SCALE_RATE", 1.25 * 2 * SCALE_CONCURRENCY * (1000 / SCALE_DELAY_MS));
/** BENCH_PROF=dir: a V8 CPU profile of each API and worker process, written there when it stops. */
export const PROFILE_DIR = process.env.BENCH_PROF;
/** A worker's limits: overall, and the ceiling of each host's adaptive limit. */
export interface WorkerLimits {
  concurrency: number;
  perHost: number;
}

/**
 * The worker's limits, from the variables the service reads (HOOKRUN_DELIVERY_CONCURRENCY,
 * HOOKRUN_HOST_CONCURRENCY), else the service's defaults.
 */
export const WORKER_OPTIONS: WorkerLimits = {
  concurrency: num("HOOKRUN_DELIVERY_CONCURRENCY", DEFAULT_CONCURRENCY),
  perHost: num("HOOKRUN_HOST_CONCURRENCY", DEFAULT_HOST_CEILING),
};
/** Receivers and the function's fetches are on loopback: the egress guard lets exactly that through. */
export const EGRESS: EgressOptions = { allow: ["127.0.0.1/32"] };
/** The function phase's hook. */
export const FN_SOURCE = "export default (e) => ({ ok: true, id: e.id })";

/** BENCH_SECONDS: load duration of each phase (default 60 on PostgreSQL, 20 on PGlite). */
export const secondsFor = (kind: DatabaseKind) => num("BENCH_SECONDS", kind === "postgres" ? 60 : 20);

/** API processes only run on PostgreSQL (PGlite lives inside the bench's process). */
export const apiProcessesFor = (kind: DatabaseKind) => (kind === "postgres" ? API_PROCESSES : 0);

/**
 * Where the dispatch worker runs: "bench" (a DispatchWorker with default options in the bench's
 * process), "process" (BENCH_WORKER=process, PostgreSQL: its own `hookrun worker` process, the
 * production scale-out mode; builds dist/ first) or "serve" (BENCH_WORKER=serve with BENCH_API: one
 * in each API process, the `npm start` topology).
 */
export type WorkerMode = "bench" | "process" | "serve";

/** How one database's run is set up: the options' defaults, or the scale-out comparison's. */
export interface RunSettings {
  mode: WorkerMode;
  /** Worker processes (mode "process"). */
  workers: number;
  workerLimits: WorkerLimits;
  phases: ("callback" | "function")[];
  rates: { callback: number; function: number };
  seconds: number;
}

/** The run the options ask for on `kind`. */
export function settingsFor(kind: DatabaseKind): RunSettings {
  const all = ["callback", "function"] as const;
  return {
    mode: workerModeFor(kind),
    workers: WORKERS,
    workerLimits: WORKER_OPTIONS,
    phases: all.filter((what) => !PHASE || PHASE === what),
    rates: { callback: RATE, function: FN_RATE },
    seconds: secondsFor(kind),
  };
}
export function workerModeFor(kind: DatabaseKind): WorkerMode {
  if (process.env.BENCH_WORKER === "process" && kind === "postgres") return "process";
  if (process.env.BENCH_WORKER === "serve" && apiProcessesFor(kind) > 0) return "serve";
  return "bench";
}
