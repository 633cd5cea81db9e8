// Rate limits' accuracy (issue 17: a hook's rateLimit holds within 10% over a minute with two worker
// processes). For each run: a callback hook at the configured rate with a backlog larger than the
// run can deliver, a loopback receiver counting arrivals per second, and the achieved rate over
// BENCH_RATE_SECONDS from the first arrival against the configured one. On PostgreSQL with two
// `hookrun worker` processes (built from dist/); on PGlite with the worker in the bench's process,
// as the embedded database runs it (one process). Prints figures, asserts nothing.
// Run: npm run bench:rate. Settings: BENCH_RATE_LIMITS (rates per second on PostgreSQL, default
// "50,1000"), BENCH_RATE_PGLITE (the rate on PGlite, default 50), BENCH_RATE_SECONDS (default 60),
// BENCH_ONLY=postgres|pglite, BENCH_DATABASE_URL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { type OpenedDatabase, openDatabase } from "../../api/src/db/connect";
import { migrateToLatest } from "../../api/src/db/migrate";
import { DispatchWorker } from "../../api/src/dispatch/worker";
import { startReceiver } from "../../tests/support/receiver";
import { type BenchApp, startBenchApp } from "../dispatch/app";
import { f1, progress } from "../dispatch/figures";
import { EGRESS, num, ONLY, WORKER_OPTIONS } from "../dispatch/options";
import { withPostgres } from "../dispatch/postgres";
import { spawnWorkerProcess, stopChild } from "../dispatch/services";
import { sleep } from "../dispatch/wait";

const SECONDS = num("BENCH_RATE_SECONDS", 60);
const PG_RATES = (process.env.BENCH_RATE_LIMITS ?? "50,1000")
  .split(",")
  .map(Number)
  .filter((r) => r > 0);
const PGLITE_RATE = num("BENCH_RATE_PGLITE", 50);
/** The issue's bound: the achieved rate within 10% of the configured one. */
const TOLERANCE = 0.1;

interface Running {
  where: string;
  stop(): Promise<void>;
}

/** One run: hook, backlog, workers, then the arrivals counted over SECONDS from the first one. */
async function measure(
  label: string,
  opened: OpenedDatabase,
  rate: number,
  startWorkers: (bench: BenchApp) => Promise<Running>,
): Promise<void> {
  progress(`${label}: migrating`);
  await migrateToLatest(opened.db);
  const bench = await startBenchApp(opened.db, opened);
  const receiver = await startReceiver({ keep: false, keepAliveMs: 30_000 });
  const arrivals: number[] = [];
  receiver.reply(() => {
    arrivals.push(performance.now());
    return { status: 204 };
  });
  let workers: Running | null = null;
  try {
    const { ws, admin } = await bench.workspace("rate-bench");
    const hookId = await bench.createHook(ws, admin, {
      kind: "callback",
      name: "rate-bench",
      events: ["verification"],
      urls: [`${receiver.url}/rate`],
      rateLimit: rate,
    });
    // More than the run can deliver, so the hook never runs dry. Written straight into the queue as
    // ingest writes it (an event and its delivery): the backlog is the input here, not the measure.
    const backlog = Math.ceil(rate * SECONDS * 1.2) + 100;
    progress(`${label}: writing a backlog of ${backlog} deliveries`);
    await sql`
      with e as (
        insert into events (id, workspace_id, type, data, context)
        select 'evt_rate_' || i, ${ws}, 'verification', jsonb_build_object('seq', i), null
        from generate_series(1, ${backlog}) as i
        returning id)
      insert into deliveries (id, workspace_id, event_id, hook_id, target, status)
      select 'dlv_' || substr(e.id, 5), ${ws}, e.id, ${hookId}, ${`${receiver.url}/rate`}, 'pending' from e`.execute(
      opened.db,
    );
    workers = await startWorkers(bench);
    progress(`${label}: delivering at ${rate}/s for ${SECONDS} s (${workers.where})`);
    while (arrivals.length === 0) await sleep(50);
    const t0 = arrivals[0] ?? 0;
    await sleep(SECONDS * 1000 + 200);
    const perSecond = new Array<number>(SECONDS).fill(0);
    for (const t of arrivals) {
      const second = Math.floor((t - t0) / 1000);
      if (second < SECONDS) perSecond[second] = (perSecond[second] ?? 0) + 1;
    }
    const total = perSecond.reduce((a, b) => a + b, 0);
    const achieved = total / SECONDS;
    const ratio = achieved / rate;
    const within = Math.abs(ratio - 1) <= TOLERANCE;
    console.log(
      `  ${label}: configured ${rate}/s, ${workers.where}: ${total} deliveries in ${SECONDS} s from the first, ` +
        `${f1(achieved)}/s; per second min ${Math.min(...perSecond)} max ${Math.max(...perSecond)}`,
    );
    console.log(`    per second: ${perSecond.join(" ")}`);
    console.log(
      `  [target rate-limit ${label} ${rate}/s within 10% over ${SECONDS} s] achieved/configured = ` +
        `${(ratio * 100).toFixed(1)}% (${within ? "met" : "MISSED"})`,
    );
  } finally {
    await workers?.stop();
    await receiver.close();
    await bench.close();
  }
}

async function onPostgres(rate: number): Promise<void> {
  await withPostgres(`postgres ${rate}/s`, (opened, url) =>
    measure("postgres", opened, rate, async (bench) => {
      const children = [1, 2].map(() => spawnWorkerProcess(url, bench.encryptionKey, WORKER_OPTIONS));
      return {
        where: "2 `hookrun worker` processes",
        stop: async () => {
          await Promise.all(children.map(stopChild));
        },
      };
    }),
  );
}

async function onPglite(rate: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hookrun-rate-"));
  const opened = await openDatabase({ dataDir: join(dir, "data") });
  try {
    await measure("pglite", opened, rate, async (bench) => {
      const worker = new DispatchWorker(
        {
          db: opened.db,
          box: bench.box,
          runtime: bench.runtime,
          egress: EGRESS,
          listen: opened.listen,
          soleWorker: true,
          log: (m, e) => progress(`worker: ${m} ${e === undefined ? "" : String(e)}`),
        },
        WORKER_OPTIONS,
      );
      await worker.start();
      return { where: "1 worker in the process (embedded)", stop: () => worker.stop() };
    });
  } finally {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`rate limits: achieved delivery rate against the hook's rateLimit, ${SECONDS} s each`);
if (ONLY !== "pglite") for (const rate of PG_RATES) await onPostgres(rate);
if (ONLY !== "postgres") await onPglite(PGLITE_RATE);
// Keep-alive sockets of the global fetch dispatcher must not hold the exit.
setTimeout(() => process.exit(0), 2_000).unref();
