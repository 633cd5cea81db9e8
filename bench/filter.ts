// What a hook's filter costs at ingest (run: npx tsx bench/filter.ts). Prints figures, asserts nothing.
// 1. The matcher alone: microseconds per compile, nanoseconds per match of bench/dispatch's filter.
// 2. Ingest in-process as `serve` runs it (the app with its catalog cache, no worker), on PGlite (in
//    memory) and on PostgreSQL (a fresh database beside BENCH_DATABASE_URL, dropped after; counted:
//    this process only: other sessions may share the server): three workspaces, one callback hook each, with no filter, a filter every event passes
//    and one every event fails; rounds alternate between them (ABC BCA CAB…, after a warm-up round) so the machine's other load
//    falls on all three alike. Figures: CPU ms of this process per ingested event, events/s with 16
//    posts in flight, and their ratios to the run without a filter. BENCH_FILTER_EVENTS: events per round (default 1,000); BENCH_FILTER_ROUNDS
//    (default 5).
import { type OpenedDatabase, openDatabase } from "../api/src/db/connect";
import { migrateToLatest } from "../api/src/db/migrate";
import { compileFilter } from "../api/src/services/filter-match";
import { createPostgresDatabase } from "../tests/support/db";
import { startBenchApp } from "./dispatch/app";
import { BENCH_HOOK_FILTER, num, PG_URL } from "./dispatch/options";

const EVENTS = num("BENCH_FILTER_EVENTS", 1_000);
const ROUNDS = num("BENCH_FILTER_ROUNDS", 5);
const IN_FLIGHT = 16;
const event = (i: number) => ({ type: "verification", data: { seq: i, bench: "dispatch" } });

function matcherFigures(): void {
  const compiles = 10_000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < compiles; i++) compileFilter(BENCH_HOOK_FILTER);
  const compileUs = Number(process.hrtime.bigint() - t) / 1_000 / compiles;
  const matches = compileFilter(BENCH_HOOK_FILTER);
  const n = 1_000_000;
  let passed = 0;
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (matches({ ...event(i), context: null })) passed++;
  const matchNs = Number(process.hrtime.bigint() - t) / n;
  console.log(
    `matcher: compile ${compileUs.toFixed(1)} µs, match ${matchNs.toFixed(0)} ns per event ` +
      `(envelope object included; ${passed}/${n} passed)`,
  );
}

async function ingestFigures(label: string, opened: OpenedDatabase): Promise<void> {
  await migrateToLatest(opened.db);
  const bench = await startBenchApp(opened.db, opened);
  const variants = [
    { name: "no filter", filter: null },
    { name: "filter, every event passes", filter: BENCH_HOOK_FILTER },
    { name: "filter, every event fails", filter: { ...BENCH_HOOK_FILTER, "data.seq": { $lt: 0 } } },
  ];
  const setups = [];
  for (const [i, variant] of variants.entries()) {
    const ws = await bench.workspace(`filter-bench-${i}`);
    await bench.createHook(ws.ws, ws.admin, {
      kind: "callback",
      name: "bench",
      events: ["verification"],
      urls: ["http://127.0.0.1:9/hook"],
      filter: variant.filter,
    });
    setups.push({ ...variant, ws, cpuUs: 0, ms: 0, events: 0 });
  }
  const post = async (ws: { ws: string; ingest: string }, i: number) => {
    const res = await bench.app.request(`/v1/workspaces/${ws.ws}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ws.ingest}`, "content-type": "application/json" },
      body: JSON.stringify(event(i)),
    });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  // Round 0 warms up (JIT, each workspace's cached catalog) and is not counted; each round starts
  // with another variant, so none is always first after the previous round's leftovers.
  for (let round = 0; round <= ROUNDS; round++) {
    for (let k = 0; k < setups.length; k++) {
      const setup = setups[(round + k) % setups.length]!;
      const before = process.cpuUsage();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < EVENTS) await post(setup.ws, next++);
        }),
      );
      const used = process.cpuUsage(before);
      if (round === 0) continue;
      setup.ms += performance.now() - started;
      setup.cpuUs += used.user + used.system;
      setup.events += EVENTS;
    }
  }
  const [base] = setups;
  for (const setup of setups) {
    const perEvent = setup.cpuUs / setup.events;
    const perSecond = setup.events / (setup.ms / 1000);
    console.log(
      `ingest on ${label}, ${setup.name}: ${(perEvent / 1000).toFixed(3)} CPU ms per event ` +
        `(x${(perEvent / (base!.cpuUs / base!.events)).toFixed(3)} of no filter), ${perSecond.toFixed(0)} ` +
        `events/s (x${(perSecond / (base!.events / (base!.ms / 1000))).toFixed(3)}); ${setup.events} events`,
    );
  }
  await bench.close();
}

matcherFigures();
const embedded = await openDatabase({});
await ingestFigures("pglite", embedded).finally(() => embedded.close());
const created = await createPostgresDatabase({ adminUrl: PG_URL, prefix: "hookrun_bench" });
try {
  const opened = await openDatabase({ url: created.url });
  await ingestFigures("postgres", opened).finally(() => opened.close());
} finally {
  await created.drop();
}
