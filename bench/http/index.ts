// Benchmark of the request path over HTTP (run: npm run bench:http). Prints figures, asserts nothing.
// Builds dist/, then on each database (embedded PGlite in a temp data dir; PostgreSQL in a fresh
// database beside BENCH_DATABASE_URL, dropped after) starts `node dist/cli.js serve` as `npm start`
// does, makes a workspace, a key and two hooks through its API, and loads each target with autocannon
// from its own process: a bare node:http server first (the baseline, measured in the same run), then
// /healthz, /v1/me, GET hook, POST test, POST invoke. Then counts the database round trips per request.
// Issue 16's targets: invoke >= 0.5x bare with p99 <= 20 ms; GET hook >= 0.5x /healthz.
// Settings (BENCH_HTTP_*): options.ts. BENCH_HTTP_PROF=dir writes the service's CPU profile there.
import buildDist from "../../tests/support/build";
import { createPostgresDatabase } from "../../tests/support/db";
import { progress } from "../dispatch/figures";
import { startBare } from "./bare";
import { type Figures, measure } from "./load";
import { ONLY, PG_URL, SECONDS, TARGETS, WARMUP_SECONDS } from "./options";
import { backendWatcher } from "./pg-backends";
import { printHeader, printRoundTrips, printTable } from "./report";
import { countRoundTrips } from "./round-trips";
import { startService } from "./service";
import { createFixture } from "./setup";
import { serviceTargets } from "./targets";

const wanted = (name: string) => !TARGETS || TARGETS.includes(name);

/** One database's run: the bare baseline, the service's targets, the round trips. */
async function benchDatabase(label: string, url: string | null, countUrl: string | null): Promise<void> {
  let bare: Figures | undefined;
  if (wanted("bare")) {
    const server = await startBare();
    try {
      progress(`${label}: bare node:http`);
      bare = await measure(server.target, server.served);
    } finally {
      await server.stop();
    }
  }
  progress(`${label}: starting hookrun serve`);
  const service = await startService(url);
  const backends = url ? await backendWatcher(url) : null;
  const figures: Figures[] = [];
  try {
    const fixture = await createFixture(service);
    const served = { pid: service.pid, backends: async () => (backends ? backends.pids() : []) };
    for (const target of serviceTargets(service.url, fixture).filter((t) => wanted(t.name))) {
      progress(`${label}: ${target.name}`);
      figures.push(await measure(target, served));
    }
  } finally {
    await backends?.close();
    await service.stop();
  }
  printTable(label, bare, figures);
  progress(`${label}: counting round trips`);
  printRoundTrips(await countRoundTrips(countUrl));
}

async function main(): Promise<void> {
  // A wedged phase must not hang `npm run bench`: a bound on the whole run.
  const budgetS = 2 * (6 * (SECONDS + WARMUP_SECONDS + 10) + 120);
  setTimeout(() => {
    console.log(`bench/http: exceeded ${budgetS} s; exiting. Figures above are complete.`);
    process.exit(0);
  }, budgetS * 1000).unref();
  progress("building dist/");
  buildDist();
  printHeader();
  if (ONLY !== "postgres") await benchDatabase("embedded (PGlite)", null, null);
  if (ONLY !== "pglite") {
    let service: { url: string; drop(): Promise<void> } | null = null;
    let count: { url: string; drop(): Promise<void> } | null = null;
    try {
      const options = { adminUrl: PG_URL, prefix: "hookrun_bench_http", connectTimeoutMs: 3_000 };
      service = await createPostgresDatabase(options);
      count = await createPostgresDatabase(options);
    } catch (error) {
      console.log(`\npostgres: skipped (${(error as Error).message || String(error)})`);
    }
    try {
      if (service && count) await benchDatabase("PostgreSQL", service.url, count.url);
    } finally {
      await service?.drop();
      await count?.drop();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
