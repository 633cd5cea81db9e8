// Benchmark of the dispatch path (run: npx tsx bench/dispatch.ts). Prints figures, asserts nothing.
// On PostgreSQL (BENCH_DATABASE_URL; a fresh database is created beside it and dropped) and on PGlite
// (in memory): events posted in-process to the app at a target rate, carried out by an in-process
// DispatchWorker (default options) to a loopback receiver (callbacks) or the function runtime
// (functions); plus a raw keep-alive fetch loop to the same receiver for comparison.
// Targets (PostgreSQL): >= 2,000 callback deliveries/s sustained for 60 s, p99 <= 250 ms, no growing
// backlog; >= 1,000 function invocations/s through the queue.
// Env: BENCH_SECONDS (load duration; default 60 on Postgres, 20 on PGlite), BENCH_RATE (2500),
// BENCH_FN_RATE (1200), BENCH_POSTERS (32), BENCH_RAW_SECONDS (10), BENCH_DRAIN_SECONDS (120, cap),
// BENCH_DATABASE_URL, BENCH_ONLY (postgres|pglite), BENCH_PHASE (callback|function: that phase alone), BENCH_COUNT_QUERIES=1 (count queries per delivery
// through a Kysely plugin: a measurement aid, slightly perturbs timing), BENCH_WORKER=serve (with
// BENCH_API: each API process runs its own worker, the `npm start` topology), BENCH_WORKER=process (on
// PostgreSQL, run the worker as its own `hookrun worker` process, the production scale-out mode,
// instead of inside the bench's process; builds dist/ first), BENCH_API=N (on PostgreSQL, ingest through
// N `hookrun serve --no-worker` processes on their own ports, each with its production key and
// catalog cache, fed over HTTP by posters in their own process (bench/posters.mjs); builds dist/ first;
// BENCH_PROF=dir writes a V8 CPU profile of each API and worker process there).
// HOOKRUN_DELIVERY_CONCURRENCY and HOOKRUN_HOST_CONCURRENCY set the worker's limits, as for the service.
// Without it, events are posted in-process to an app in the bench's process, with the same cache).
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { type EgressOptions, FunctionRuntime } from "@hookrun/runtime";
import type { KyselyPlugin, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { sql } from "kysely";
import pg from "pg";
import { createApp } from "../api/src/app";
import { type Db, type OpenedDatabase, openDatabase } from "../api/src/db/connect";
import { migrateToLatest } from "../api/src/db/migrate";
import { DispatchWorker } from "../api/src/dispatch/worker";
import { createLogger } from "../api/src/observability/logger";
import { createMetrics } from "../api/src/observability/metrics";
import { generateApiKey, hashApiKey } from "../api/src/security/api-keys";
import { createSecretBox } from "../api/src/security/secret-box";

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return process.env[name] && Number.isFinite(v) && v > 0 ? v : fallback;
};
const RATE = num("BENCH_RATE", 2500);
const FN_RATE = num("BENCH_FN_RATE", 1200);
const POSTERS = num("BENCH_POSTERS", 32);
const RAW_SECONDS = num("BENCH_RAW_SECONDS", 10);
const DRAIN_CAP_S = num("BENCH_DRAIN_SECONDS", 120);
const SAMPLE_MS = 5_000;
const STALL_S = num("BENCH_STALL_SECONDS", 60);
const PG_URL = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const ONLY = process.env.BENCH_ONLY;
const PHASE = process.env.BENCH_PHASE;
const COUNT_QUERIES = process.env.BENCH_COUNT_QUERIES === "1";
const WORKER_PROCESS = process.env.BENCH_WORKER === "process";
/** BENCH_WORKER=serve (with BENCH_API): each API process runs its own worker, as `npm start` does. */
const WORKER_IN_API =
  process.env.BENCH_WORKER === "serve" && Math.floor(Number(process.env.BENCH_API) || 0) > 0;
const API_PROCESSES = Math.floor(num("BENCH_API", 0));
const EGRESS: EgressOptions = { allow: ["127.0.0.1/32"] };
const FN_SOURCE = "export default (e) => ({ ok: true, id: e.id })";
/** The worker's limits, from the variables the service reads (HOOKRUN_DELIVERY_CONCURRENCY, HOOKRUN_HOST_CONCURRENCY). */
const WORKER_OPTIONS = {
  concurrency: num("HOOKRUN_DELIVERY_CONCURRENCY", 64),
  perHost: num("HOOKRUN_HOST_CONCURRENCY", 16),
};
const secondsFor = (kind: "postgres" | "pglite") => num("BENCH_SECONDS", kind === "postgres" ? 60 : 20);

const pct = (xs: ArrayLike<number>, p: number) => {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();
const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);
const TIMEOUT = Symbol("timeout");
/** A starved database (PGlite has one connection) must not hang the bench: every wait is capped. */
const capped = <T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> =>
  Promise.race([p, new Promise<typeof TIMEOUT>((r) => setTimeout(() => r(TIMEOUT), ms).unref())]);

// ---------------------------------------------------------------------------------------------------
// The receiver: 204 at once, keep-alive (Node's default for HTTP/1.1). Callback arrivals are keyed by
// the bench sequence number carried in the event's data; raw-loop requests go to /raw.

interface Receiver {
  url: string;
  /** Arrival time (performance.now) per sequence number of the current phase; NaN = not yet. */
  arrivals: Float64Array;
  arrived: number;
  duplicates: number;
  connections: number;
  reset(size: number): void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const state = {
    arrivals: new Float64Array(0),
    arrived: 0,
    duplicates: 0,
    connections: 0,
  };
  const server: Server = createServer((req, res) => {
    if (req.url === "/raw") {
      req.resume();
      req.on("end", () => {
        res.writeHead(204);
        res.end();
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const t = now();
      try {
        const seq = JSON.parse(Buffer.concat(chunks).toString("utf8"))?.data?.seq;
        if (typeof seq === "number" && seq < state.arrivals.length) {
          if (Number.isNaN(state.arrivals[seq]!)) {
            state.arrivals[seq] = t;
            state.arrived++;
          } else state.duplicates++;
        }
      } catch {
        // not a bench event
      }
      res.writeHead(204);
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get arrivals() {
      return state.arrivals;
    },
    get arrived() {
      return state.arrived;
    },
    get duplicates() {
      return state.duplicates;
    },
    get connections() {
      return state.connections;
    },
    reset(size) {
      state.arrivals = new Float64Array(size).fill(Number.NaN);
      state.arrived = 0;
      state.duplicates = 0;
      state.connections = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// CPU accounting from /proc (Linux): this process (app + worker + PGlite), its children (function
// executors), postgres server processes on this host, and the whole machine.

/** Child processes the bench started, by role ("api", "worker", "posters"): their CPU is reported apart. */
const roles = new Map<number, string>();

interface CpuSnap {
  at: number;
  self: number;
  children: number;
  byRole: Record<string, number>;
  postgres: number;
  machineBusy: number;
  machineTotal: number;
}

const TICK = 100; // USER_HZ on Linux

function cpuSnap(): CpuSnap {
  const snap: CpuSnap = {
    at: now(),
    self: 0,
    children: 0,
    byRole: {},
    postgres: 0,
    machineBusy: 0,
    machineTotal: 0,
  };
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    snap.machineTotal = fields.reduce((a, b) => a + b, 0) / TICK;
    snap.machineBusy = snap.machineTotal - idle / TICK;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const rest = stat.slice(close + 2).split(" ");
      const ppid = Number(rest[1]);
      const cpu = (Number(rest[11]) + Number(rest[12])) / TICK;
      const role = roles.get(Number(entry));
      if (Number(entry) === process.pid) snap.self += cpu;
      else if (role) snap.byRole[role] = (snap.byRole[role] ?? 0) + cpu;
      // Function executors: children of this process or of a worker process.
      else if (ppid === process.pid || roles.get(ppid) === "worker") snap.children += cpu;
      else if (comm === "postgres") snap.postgres += cpu;
    }
  } catch {
    // not Linux: CPU figures print as 0
  }
  return snap;
}

function cpuLine(a: CpuSnap, b: CpuSnap): string {
  const wall = (b.at - a.at) / 1000;
  // A child that exited in between takes its CPU time with it: never print a negative share.
  const cores = (x: number) => (Math.max(0, x) / wall).toFixed(2);
  const busy = b.machineBusy - a.machineBusy;
  const total = b.machineTotal - a.machineTotal;
  const roleNames = [...new Set([...Object.keys(a.byRole), ...Object.keys(b.byRole)])].sort();
  const roleCpu = roleNames.map((r) => [r, (b.byRole[r] ?? 0) - (a.byRole[r] ?? 0)] as const);
  const ours =
    b.self -
    a.self +
    (b.children - a.children) +
    (b.postgres - a.postgres) +
    roleCpu.reduce((n, [, c]) => n + c, 0);
  return (
    `cpu (cores busy, of ${cpus().length}): node main ${cores(b.self - a.self)}, ` +
    roleCpu.map(([r, c]) => `${r} ${cores(c)}, `).join("") +
    `executors ${cores(b.children - a.children)}, ` +
    `postgres ${cores(b.postgres - a.postgres)}, other ${cores(Math.max(0, busy - ours))}, ` +
    `machine ${cores(busy)} (${total > 0 ? ((100 * busy) / total).toFixed(0) : "?"}% busy)`
  );
}

/** CPU milliseconds per event over a window, by process, plus the inverse: events/s per busy core. */
function costLine(a: CpuSnap, b: CpuSnap, events: number): string {
  if (events === 0) return "n/a";
  const ms = (cpu: number) => ((Math.max(0, cpu) * 1000) / events).toFixed(2);
  const parts = [`node main ${ms(b.self - a.self)}`];
  for (const r of [...new Set([...Object.keys(a.byRole), ...Object.keys(b.byRole)])].sort())
    parts.push(`${r} ${ms((b.byRole[r] ?? 0) - (a.byRole[r] ?? 0))}`);
  parts.push(`executors ${ms(b.children - a.children)}`, `postgres ${ms(b.postgres - a.postgres)}`);
  return `${parts.join(", ")} (CPU ms per ingested event, whatever else the machine runs)`;
}

// ---------------------------------------------------------------------------------------------------
// Query counting (BENCH_COUNT_QUERIES=1): a Kysely plugin on the db handed to the app and the worker.
// Transactions' BEGIN/COMMIT do not pass through plugins; they are counted from pg_stat_database.

class QueryCounter implements KyselyPlugin {
  readonly counts = new Map<string, number>();
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    const node = args.node as RootOperationNode & {
      into?: { table?: { identifier?: { name?: string } } };
      table?: { table?: { identifier?: { name?: string } } };
      from?: { froms?: { table?: { identifier?: { name?: string } } }[] };
    };
    const table =
      node.into?.table?.identifier?.name ??
      node.table?.table?.identifier?.name ??
      node.from?.froms?.[0]?.table?.identifier?.name ??
      "";
    const key = `${node.kind.replace("QueryNode", "").replace("Node", "").toLowerCase()} ${table}`.trim();
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return args.node;
  }
  async transformResult(args: { result: QueryResult<UnknownRow> }): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
  take(): Map<string, number> {
    const out = new Map(this.counts);
    this.counts.clear();
    return out;
  }
}

async function xactCount(db: Db, kind: string): Promise<number | null> {
  if (kind !== "postgres") return null;
  await sql`select pg_stat_force_next_flush()`.execute(db).catch(() => undefined);
  const r = await sql<{
    n: number;
  }>`select (xact_commit + xact_rollback)::int8 as n from pg_stat_database where datname = current_database()`.execute(
    db,
  );
  return Number(r.rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------------
// Databases.

async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async <T>(run: (c: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  const name = `hookrun_bench_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

// ---------------------------------------------------------------------------------------------------
// One database's run.

interface Env {
  kind: "postgres" | "pglite";
  db: Db;
  /** The db without the counting plugin, for the bench's own sampling queries. */
  rawDb: Db;
  counter: QueryCounter | null;
  app: ReturnType<typeof createApp>;
  rootKey: string;
  receiver: Receiver;
  /** Base URLs of `serve --no-worker` processes (BENCH_API); empty: post in-process to `app`. */
  apiUrls: string[];
}

async function call(env: Env, method: string, path: string, key: string, body?: unknown) {
  const res = await env.app.request(path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function workspace(env: Env, name: string) {
  const ws: string = (await call(env, "POST", "/v1/workspaces", env.rootKey, { name })).id;
  const key = async (role: string) =>
    (await call(env, "POST", `/v1/workspaces/${ws}/keys`, env.rootKey, { name: role, role })).key as string;
  return { ws, admin: await key("admin"), ingest: await key("ingest") };
}

interface Sample {
  t: number;
  pending: number;
  done: number;
  failed: number;
  cpu: CpuSnap;
  elu: number;
}

interface PhaseResult {
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

async function counts(env: Env, hookId: string) {
  const r = await sql<{ pending: number; done: number; failed: number }>`
    select count(*) filter (where status = 'pending')::int8 as pending,
           count(*) filter (where status = 'succeeded')::int8 as done,
           count(*) filter (where status in ('failed', 'canceled'))::int8 as failed
    from deliveries where hook_id = ${hookId}`.execute(env.rawDb);
  const row = r.rows[0]!;
  return { pending: Number(row.pending), done: Number(row.done), failed: Number(row.failed) };
}

async function runPhase(
  env: Env,
  label: string,
  opts: { ws: string; ingestKey: string; hookId: string; rate: number; seconds: number; callback: boolean },
): Promise<PhaseResult> {
  const { rate, seconds } = opts;
  const capacity = Math.ceil(rate * seconds) + 16;
  const started = new Float64Array(capacity).fill(Number.NaN);
  if (opts.callback) env.receiver.reset(capacity);
  env.counter?.take();
  const xact0 = await xactCount(env.rawDb, env.kind);

  const path = `/v1/workspaces/${opts.ws}/events`;
  const headers = { authorization: `Bearer ${opts.ingestKey}`, "content-type": "application/json" };
  const callMs: number[] = [];
  let next = 0;
  let ingested = 0;
  let ingestErrors = 0;
  let firstError = "";
  // A posters process needs a moment to start: its schedule begins half a second from now.
  const t0 = now() + (env.apiUrls.length > 0 ? 500 : 0);
  const end = t0 + seconds * 1000;

  const samples: Sample[] = [];
  const cpu0 = cpuSnap();
  let elu0 = performance.eventLoopUtilization();
  const sampleOnce = async () => {
    const c = await capped(counts(env, opts.hookId), 10_000);
    if (c === TIMEOUT) {
      progress(`${label} t=${((now() - t0) / 1000).toFixed(1)}s sample timed out (database starved)`);
      return;
    }
    const elu1 = performance.eventLoopUtilization();
    const s = {
      t: (now() - t0) / 1000,
      ...c,
      cpu: cpuSnap(),
      elu: performance.eventLoopUtilization(elu1, elu0).utilization,
    };
    elu0 = elu1;
    samples.push(s);
    progress(
      `${label} t=${s.t.toFixed(1)}s ingested=${env.apiUrls.length > 0 ? "(posters report at the end)" : ingested} pending=${s.pending} done=${s.done} failed=${s.failed}`,
    );
  };
  let sampling = true;
  const sampler = (async () => {
    let due = t0 + SAMPLE_MS;
    while (sampling) {
      await sleep(Math.max(0, due - now()));
      if (!sampling) break;
      await sampleOnce().catch((e) => progress(`sample failed: ${(e as Error).message}`));
      due += SAMPLE_MS;
    }
  })();

  let loadEnd: number;
  let postersDone = () => {};
  if (env.apiUrls.length > 0) {
    // Posters in their own process, over HTTP to the API processes.
    const out = await postFromChild(env.apiUrls, path, opts.ingestKey, rate, seconds, capacity, t0);
    for (let i = 0; i < capacity; i++) {
      const s = out.started[i];
      started[i] = s === null || s === undefined ? Number.NaN : s - performance.timeOrigin;
    }
    callMs.push(...out.callMs);
    ingested = out.ingested;
    ingestErrors = out.ingestErrors;
    firstError = out.firstError;
    loadEnd = Math.min(now(), out.loadEndEpoch - performance.timeOrigin);
    postersDone = out.done;
  } else {
    // Posters: event i is due at t0 + i / rate; a poster behind schedule posts at once.
    let stopPosting = false;
    const posting = Promise.all(
      Array.from({ length: POSTERS }, async () => {
        for (;;) {
          const i = next++;
          const due = t0 + (i * 1000) / rate;
          if (due >= end || i >= capacity) return;
          const wait = due - now();
          // Always give the event loop a turn: posting in-process onto PGlite involves no I/O, so a
          // poster behind schedule would otherwise chain microtasks forever and starve the worker's
          // sockets and timers (real clients arrive over sockets, which yield by themselves).
          if (wait > 1) await sleep(wait);
          else await new Promise<void>((resolve) => setImmediate(resolve));
          if (now() >= end || stopPosting) return;
          const body = JSON.stringify({ type: "verification", data: { seq: i, bench: "dispatch" } });
          const t = now();
          started[i] = t;
          try {
            const res = await env.app.request(path, { method: "POST", headers, body });
            const text = await res.text();
            if (res.status === 202) ingested++;
            else {
              ingestErrors++;
              started[i] = Number.NaN;
              firstError ||= `${res.status} ${text.slice(0, 200)}`;
            }
          } catch (error) {
            ingestErrors++;
            started[i] = Number.NaN;
            firstError ||= String(error);
          }
          callMs.push(now() - t);
        }
      }),
    );
    // Posts still unanswered 30 s after the end are abandoned (counted as not ingested).
    if ((await capped(posting, seconds * 1000 + 30_000)) === TIMEOUT) {
      stopPosting = true;
      firstError ||= "ingest calls still unanswered 30 s after the load ended";
    }
    loadEnd = now();
  }
  const cpu1 = cpuSnap();
  postersDone();
  const cpuLoad = cpuLine(cpu0, cpu1);
  const cpuCost = costLine(cpu0, cpu1, ingested);

  // Drain: until no delivery of this hook is pending, bounded.
  let drainMs: number | null = null;
  let drainLeft = 0;
  const drainCap = loadEnd + DRAIN_CAP_S * 1000;
  for (;;) {
    const c = await capped(counts(env, opts.hookId), Math.max(1_000, drainCap - now()));
    if (c === TIMEOUT) {
      drainLeft = Number.NaN;
      break;
    }
    drainLeft = c.pending;
    if (c.pending === 0) {
      drainMs = now() - loadEnd;
      break;
    }
    if (now() > drainCap) break;
    await sleep(100);
  }
  sampling = false;
  await sampler;
  const finalOrTimeout = await capped(counts(env, opts.hookId), 30_000);
  const final =
    finalOrTimeout === TIMEOUT
      ? { pending: Number.NaN, done: Number.NaN, failed: Number.NaN }
      : finalOrTimeout;

  const queries: string[] = [];
  if (env.counter) {
    const q = env.counter.take();
    const xact1 = await xactCount(env.rawDb, env.kind);
    const per = Math.max(1, final.done + final.failed);
    const total = [...q.values()].reduce((a, b) => a + b, 0);
    queries.push(
      `statements through Kysely: ${total} = ${(total / per).toFixed(2)} per delivery (ingest + dispatch, ${per} deliveries)`,
    );
    for (const [k, v] of [...q.entries()].sort((a, b) => b[1] - a[1]))
      queries.push(`  ${k.padEnd(28)} ${String(v).padStart(8)}  ${(v / per).toFixed(2)}/delivery`);
    if (xact0 !== null && xact1 !== null)
      queries.push(
        `transactions (pg_stat_database, incl. autocommit statements): ${xact1 - xact0} = ${((xact1 - xact0) / per).toFixed(2)} per delivery`,
      );
  }

  // Latency and completion over the sustained window (the first 5 s, or 20% of a short run, is warm-up).
  const warmup = Math.min(5_000, seconds * 200);
  const windowStart = t0 + warmup;
  const windowS = (loadEnd - windowStart) / 1000;
  const lat: number[] = [];
  /** Seconds after t0 at which each `lat` event was posted, for the latency-over-time line. */
  const latAt: number[] = [];
  let completedInWindow = 0;
  let undelivered = 0;
  if (opts.callback) {
    const arr = env.receiver.arrivals;
    for (let i = 0; i < capacity; i++) {
      const a = arr[i]!;
      if (a >= windowStart && a <= loadEnd) completedInWindow++;
      const s = started[i]!;
      if (Number.isNaN(s) || s < windowStart) continue;
      if (Number.isNaN(a)) undelivered++;
      else {
        lat.push(a - s);
        latAt.push((s - t0) / 1000);
      }
    }
  } else {
    // Function invocations: the delivery's finished_at (set in the transaction that records the attempt).
    const query = sql<{ seq: number; finished: Date | null }>`
      select (e.data->>'seq')::int as seq, d.finished_at as finished
      from deliveries d join events e on e.id = d.event_id
      where d.hook_id = ${opts.hookId} and d.status = 'succeeded'`.execute(env.rawDb);
    const got = await capped(query, 30_000);
    const rows = got === TIMEOUT ? { rows: [] } : got;
    // wall clock of a performance.now() instant
    const offset = Date.now() - now();
    const done = new Float64Array(capacity).fill(Number.NaN);
    for (const r of rows.rows) if (r.finished) done[r.seq] = r.finished.getTime() - offset;
    for (let i = 0; i < capacity; i++) {
      const d = done[i]!;
      if (d >= windowStart && d <= loadEnd) completedInWindow++;
      const s = started[i]!;
      if (Number.isNaN(s) || s < windowStart) continue;
      if (Number.isNaN(d)) undelivered++;
      else {
        lat.push(Math.max(0, d - s));
        latAt.push((s - t0) / 1000);
      }
    }
  }

  return {
    label,
    seconds,
    rate,
    ingested,
    ingestErrors,
    firstError,
    ingestPerSec: ingested / ((loadEnd - t0) / 1000),
    ingestCallP50: pct(callMs, 50),
    ingestCallP99: pct(callMs, 99),
    windowS,
    completedPerSec: completedInWindow / windowS,
    latencies: Float64Array.from(lat),
    latencyAt: Float64Array.from(latAt),
    undelivered,
    samples,
    drainMs,
    drainLeft,
    final: { pending: final.pending, succeeded: final.done, other: final.failed },
    cpuLoad,
    cpuCost,
    queries,
  };
}

/** p50/p99 of the events posted in each tenth of the window: shows whether the tail is warm-up or steady. */
function latencyOverTime(r: PhaseResult): string {
  const from = r.latencyAt.reduce((m, t) => Math.min(m, t), Number.POSITIVE_INFINITY);
  const step = Math.max(1, Math.round(r.windowS / 10));
  const parts: string[] = [];
  for (let t = Math.floor(from); t < from + r.windowS; t += step) {
    const slice = r.latencies.filter((_, i) => r.latencyAt[i]! >= t && r.latencyAt[i]! < t + step);
    if (slice.length > 0) parts.push(`${t}-${t + step} s: ${f0(pct(slice, 50))}/${f0(pct(slice, 99))}`);
  }
  return `${parts.join(", ")} (p50/p99 ms by when the event was posted)`;
}

function printPhase(
  r: PhaseResult,
  kind: string,
  what: "callback" | "function",
  raw: RawResult | null,
): void {
  const lat = r.latencies;
  const target =
    what === "callback"
      ? "[target on postgres: >= 2000/s sustained 60 s, p99 <= 250 ms, no growing backlog]"
      : "[target on postgres: >= 1000/s]";
  console.log(`  ${r.label}: target ${r.rate}/s for ${r.seconds} s, ${POSTERS} concurrent posters`);
  console.log(
    `    ingested            ${r.ingested} events, ${f0(r.ingestPerSec)} events/s achieved` +
      ` (ingest call p50 ${f1(r.ingestCallP50)} ms, p99 ${f1(r.ingestCallP99)} ms)` +
      (r.ingestErrors ? `, ${r.ingestErrors} errors (first: ${r.firstError})` : ""),
  );
  console.log(
    `    ${what === "callback" ? "deliveries completed" : "invocations completed"} ${f0(r.completedPerSec)}/s over the sustained window (${r.windowS.toFixed(1)} s after warm-up)   ${target}`,
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
  void kind;
}

interface PostersOut {
  started: (number | null)[];
  callMs: number[];
  ingested: number;
  ingestErrors: number;
  firstError: string;
  loadEndEpoch: number;
}

/** Runs bench/posters.mjs in its own process; the schedule starts at `t0` (this process's clock). */
function postFromChild(
  urls: string[],
  path: string,
  key: string,
  rate: number,
  seconds: number,
  capacity: number,
  t0: number,
): Promise<PostersOut & { done(): void }> {
  const child = fork(join(import.meta.dirname, "posters.mjs"), [], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  if (child.pid) roles.set(child.pid, "posters");
  return new Promise<PostersOut & { done(): void }>((resolve, reject) => {
    // done(): after the caller's last CPU sample, so the posters' CPU time is still counted.
    child.once("message", (m) => resolve({ ...(m as PostersOut), done: () => child.disconnect() }));
    child.once("exit", (code) => reject(new Error(`posters exited with ${code} before reporting`)));
    child.send({
      urls,
      path,
      key,
      rate,
      seconds,
      posters: POSTERS,
      capacity,
      t0Epoch: performance.timeOrigin + t0,
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The raw loop: Node's built-in fetch (undici, keep-alive), 64 in flight, same receiver.

interface RawResult {
  perSec: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  cpu: string;
}

async function rawLoop(receiver: Receiver, seconds: number): Promise<RawResult> {
  const body = JSON.stringify({
    id: "evt_0123456789abcdef",
    type: "verification",
    timestamp: new Date().toISOString(),
    workspace: "ws_0123456789abcdef",
    data: { seq: -1, bench: "dispatch" },
  });
  const lat: number[] = [];
  let errors = 0;
  const cpu0 = cpuSnap();
  const t0 = now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (now() < end) {
        const t = now();
        try {
          const res = await fetch(`${receiver.url}/raw`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          await res.arrayBuffer();
          lat.push(now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (now() - t0) / 1000;
  return {
    perSec: lat.length / elapsed,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    requests: lat.length,
    errors,
    cpu: cpuLine(cpu0, cpuSnap()),
  };
}

// ---------------------------------------------------------------------------------------------------

/** `hookrun worker` as a child process on the bench's database, with the bench's encryption key. */
function spawnWorkerProcess(url: string, encryptionKey: Buffer): ChildProcess {
  buildOnce();
  const child = spawn(
    process.execPath,
    [...profileFlags(), join(import.meta.dirname, "../dist/cli.js"), "worker"],
    {
      env: serviceEnv(url, encryptionKey),
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (child.pid) roles.set(child.pid, "worker");
  return child;
}

/** BENCH_PROF=dir: a V8 CPU profile of each API and worker process, written there when it stops. */
const profileFlags = () =>
  process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];

const serviceEnv = (url: string, encryptionKey: Buffer) => ({
  PATH: process.env.PATH ?? "",
  DATABASE_URL: url,
  HOOKRUN_ENCRYPTION_KEY: encryptionKey.toString("base64"),
  HOOKRUN_EGRESS_ALLOW: EGRESS.allow.join(","),
  HOOKRUN_LOG_LEVEL: "error",
  HOOKRUN_DELIVERY_CONCURRENCY: String(WORKER_OPTIONS.concurrency),
  HOOKRUN_HOST_CONCURRENCY: String(WORKER_OPTIONS.perHost),
});

let built = false;
function buildOnce(): void {
  if (built) return;
  const root = join(import.meta.dirname, "..");
  execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" });
  built = true;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `hookrun serve --no-worker` on a free port, accepting the bench's root key; resolves once /healthz answers. */
async function spawnApiProcess(
  url: string,
  encryptionKey: Buffer,
  rootKey: string,
): Promise<{ child: ChildProcess; url: string }> {
  buildOnce();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...profileFlags(),
      join(import.meta.dirname, "../dist/cli.js"),
      "serve",
      ...(WORKER_IN_API ? [] : ["--no-worker"]),
    ],
    {
      env: {
        ...serviceEnv(url, encryptionKey),
        PORT: String(port),
        HOST: "127.0.0.1",
        HOOKRUN_ROOT_KEY: rootKey,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (child.pid) roles.set(child.pid, "api");
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url: base };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`API process on port ${port} did not start`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  if ((await capped(exited, 30_000)) === TIMEOUT) child.kill("SIGKILL");
}

async function benchDatabase(
  kind: "postgres" | "pglite",
  opened: OpenedDatabase,
  receiver: Receiver,
  raw: RawResult | null,
  url?: string,
): Promise<void> {
  const seconds = secondsFor(kind);
  const counter = COUNT_QUERIES ? new QueryCounter() : null;
  const db = counter ? opened.db.withPlugin(counter) : opened.db;
  const encryptionKey = randomBytes(32);
  const box = createSecretBox(encryptionKey);
  const rootKey = generateApiKey();
  const runtime = new FunctionRuntime({ egress: EGRESS });
  let worker: DispatchWorker | null = null;
  let workerProcess: ChildProcess | null = null;
  const apiProcesses: ChildProcess[] = [];
  // The production key and catalog cache, as `serve` runs it. Loaded by name, so this bench also runs
  // on a tree without it (a baseline worktree), where every request reads the database.
  const cache = await import("../api/src/services/hot-cache").then(
    (m) => new m.HotCache(),
    () => null,
  );
  try {
    progress(`${kind}: migrating`);
    await migrateToLatest(opened.db);
    progress(`${kind}: starting the runtime, the app and the worker`);
    await runtime.start();
    const app = createApp({
      db,
      box,
      runtime,
      egress: EGRESS,
      rootKeyHash: hashApiKey(rootKey),
      // Production logger and metrics; errors only, to stderr, so stdout keeps just the figures.
      logger: createLogger("error", { write: (line: string) => void process.stderr.write(line) }),
      metrics: createMetrics({ db, runtime }),
      listen: opened.listen,
      ...(cache ? { cache } : {}),
    });
    await cache?.start(opened.listen);
    const apiUrls: string[] = [];
    if (API_PROCESSES > 0 && url) {
      progress(`${kind}: starting ${API_PROCESSES} API process(es)`);
      for (let i = 0; i < API_PROCESSES; i++) {
        const started = await spawnApiProcess(url, encryptionKey, rootKey);
        apiProcesses.push(started.child);
        apiUrls.push(started.url);
      }
    }
    const env: Env = { kind, db, rawDb: opened.db, counter, app, rootKey, receiver, apiUrls };
    if (WORKER_PROCESS && url) workerProcess = spawnWorkerProcess(url, encryptionKey);
    else if (!WORKER_IN_API)
      worker = new DispatchWorker(
        {
          db,
          box,
          runtime,
          egress: EGRESS,
          listen: opened.listen,
          log: (m, e) => progress(`worker: ${m} ${e === undefined ? "" : String(e)}`),
        },
        WORKER_OPTIONS,
      );
    await worker?.start();

    let cbResult: PhaseResult | null = null;
    if (PHASE !== "function") {
      progress(`${kind}: creating the callback workspace and hook`);
      const cb = await workspace(env, "bench-callbacks");
      const hook = await call(env, "POST", `/v1/workspaces/${cb.ws}/hooks`, cb.admin, {
        kind: "callback",
        name: "bench-callback",
        events: ["verification"],
        method: "POST",
        urls: [`${receiver.url}/hook`],
        signing: { scheme: "standard-webhooks" },
      });
      cbResult = await runPhase(env, "callback deliveries", {
        ws: cb.ws,
        ingestKey: cb.ingest,
        hookId: hook.id,
        rate: RATE,
        seconds,
        callback: true,
      });
    }
    let fnResult: PhaseResult | null = null;
    if (PHASE !== "callback") {
      progress(`${kind}: creating the function workspace and hook`);
      const fn = await workspace(env, "bench-functions");
      const fnHook = await call(env, "POST", `/v1/workspaces/${fn.ws}/hooks`, fn.admin, {
        kind: "function",
        name: "bench-function",
        events: ["verification"],
        source: FN_SOURCE,
      });
      fnResult = await runPhase(env, "function invocations", {
        ws: fn.ws,
        ingestKey: fn.ingest,
        hookId: fnHook.id,
        rate: FN_RATE,
        seconds,
        callback: false,
      });
    }

    console.log(
      `${kind}: DispatchWorker concurrency ${WORKER_OPTIONS.concurrency}, perHost ${WORKER_OPTIONS.perHost} (poll 1 s), FunctionRuntime defaults (2 executors), ${workerProcess ? "in its own `hookrun worker` process" : WORKER_IN_API ? "one in each API process (`hookrun serve`)" : "in the bench's process"}; ` +
        (apiUrls.length > 0
          ? `ingest through ${apiUrls.length} \`serve${WORKER_IN_API ? "" : " --no-worker"}\` process(es), ${POSTERS} posters in their own process (HTTP keep-alive)`
          : `ingest in-process to the bench's app${cache ? " (with the key and catalog cache)" : " (no cache in this tree)"}`),
    );
    if (cbResult) {
      printPhase(cbResult, kind, "callback", raw);
      console.log(
        `    receiver            ${receiver.connections} TCP connections accepted during the phase`,
      );
    }
    if (fnResult) {
      printPhase(fnResult, kind, "function", raw);
      console.log(`    runtime stats       ${JSON.stringify(runtime.stats())}`);
    }
  } finally {
    await Promise.all(apiProcesses.map(stopChild));
    if (workerProcess) await stopChild(workerProcess);
    await cache?.stop();
    if (worker && (await capped(worker.stop(), 30_000)) === TIMEOUT)
      progress("worker stop: timed out after 30 s");
    await runtime.close().catch((e) => progress(`runtime close: ${String(e)}`));
  }
}

async function main(): Promise<void> {
  // Hard bound on the whole run: if a starved database wedges a phase, print that and exit 0.
  const budgetS =
    RAW_SECONDS +
    (["postgres", "pglite"] as const).reduce((n, k) => n + 2 * (secondsFor(k) + DRAIN_CAP_S + 90), 0) +
    60;
  setTimeout(() => {
    console.log(
      `watchdog: the bench exceeded ${budgetS} s (a phase wedged); exiting. Figures above are complete.`,
    );
    process.exit(0);
  }, budgetS * 1000).unref();
  // A main thread that stops turning its event loop (a promise-only loop spinning on PGlite's
  // synchronous queries starves timers) cannot run the watchdog above: a thread watches heartbeats
  // and SIGKILLs (SIGTERM handlers would run on the starved loop too; exit status is then 137).
  const watchdog = new Worker(
    `const { parentPort } = require("node:worker_threads"); const fs = require("node:fs");
     let last = Date.now(); parentPort.on("message", () => { last = Date.now(); });
     setInterval(() => { if (Date.now() - last > ${STALL_S * 1000}) {
       fs.writeSync(1, "watchdog: the main event loop made no turn for ${STALL_S} s (livelock); killing the bench\\n");
       process.kill(process.pid, "SIGKILL"); } }, 1000);`,
    { eval: true },
  );
  watchdog.unref();
  setInterval(() => watchdog.postMessage(0), 1000).unref();
  const receiver = await startReceiver();
  console.log(
    `hookrun dispatch benchmark (this machine: ${cpus().length} cores, node ${process.version}; ` +
      `callbacks ${RATE}/s, functions ${FN_RATE}/s; figures only, nothing asserted)`,
  );
  try {
    progress(`raw fetch loop: 64 in flight for ${RAW_SECONDS} s`);
    const raw = await rawLoop(receiver, RAW_SECONDS);
    console.log(
      `raw fetch loop (undici keep-alive, 64 in flight, ${RAW_SECONDS} s): ${f0(raw.perSec)} requests/s, ` +
        `p50 ${f1(raw.p50)} ms, p99 ${f1(raw.p99)} ms${raw.errors ? `, ${raw.errors} errors` : ""}; ${raw.cpu}`,
    );

    if (ONLY !== "pglite") {
      let created: { url: string; drop(): Promise<void> } | null = null;
      try {
        created = await createBenchDatabase();
      } catch (error) {
        console.log(`postgres: skipped (${(error as Error).message || String(error)})`);
      }
      if (created) {
        try {
          const opened = await openDatabase({ url: created.url });
          try {
            await benchDatabase("postgres", opened, receiver, raw, created.url);
          } finally {
            await opened.close();
          }
        } catch (error) {
          console.log(`postgres: failed (${(error as Error).stack ?? String(error)})`);
        } finally {
          await created.drop().catch((e) => console.log(`postgres: drop failed (${String(e)})`));
        }
      }
    }
    if (ONLY !== "postgres") {
      const opened = await openDatabase({});
      try {
        await benchDatabase("pglite", opened, receiver, raw);
      } catch (error) {
        console.log(`pglite: failed (${(error as Error).stack ?? String(error)})`);
      } finally {
        await opened.close();
      }
    }
  } finally {
    await receiver.close();
  }
}

await main();
// Everything is closed; keep-alive sockets of the global fetch dispatcher must not hold the exit.
setTimeout(() => process.exit(0), 2_000).unref();
