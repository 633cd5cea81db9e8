// Benchmark of the execution log's queries (run: npx tsx bench/logs.ts). Prints figures, asserts nothing.
// On PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; a fresh database
// is created beside it and dropped): BENCH_ATTEMPTS (default 1,000,000) attempts over 30 days, 60% of
// them in one busy workspace, then for every filter of GET .../logs the p50 time of its first page and
// of a deep page (a cursor BENCH_DEPTH rows in, default 100,000 or as deep as the filter goes), with
// the index EXPLAIN chose; plus a hook's stats, the hook list's health query and the charts' activity
// queries (a hook's, the workspace's with its failing hooks, the hook list's sparklines) with their plans.
import { randomBytes } from "node:crypto";
import { type Compilable, CompiledQuery, type RawBuilder, sql } from "kysely";
import pg from "pg";
import { type Db, openDatabase } from "../api/src/db/connect";
import { migrateToLatest } from "../api/src/db/migrate";
import type { HookKind } from "../api/src/db/schema";
import type { ActivityWindowValue } from "../api/src/schemas/activity";
import { activity, activityQuery, workspaceActivity } from "../api/src/services/activity";
import { bucketsOf } from "../api/src/services/activity-buckets";
import { failingHooksQuery } from "../api/src/services/failing-hooks";
import { hookHealth } from "../api/src/services/hook-health";
import { hookSparklines, sparklinesQuery } from "../api/src/services/hook-sparklines";
import { filteredAttempts, type LogFilter, logPageQuery } from "../api/src/services/logs";
import { encodeCursor, positionColumn } from "../api/src/services/pagination";
import { hookStats } from "../api/src/services/stats";

const ADMIN_URL = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS) || 1_000_000;
const DEPTH = Number(process.env.BENCH_DEPTH) || 100_000;
const RUNS = Number(process.env.BENCH_RUNS) || 25;
const WORKSPACES = 10;
const HOOKS_PER_WORKSPACE = 5;
const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

const wsId = (w: number) => `ws_bench${String(w).padStart(2, "0")}`;
const hookId = (w: number, h: number) => `hk_bench${String(w).padStart(2, "0")}_${h}`;
/** Hooks 0-2 of each workspace are callbacks, 3-4 functions. */
const hookOf = (ws: string, h: number) => `${ws.replace("ws_", "hk_")}_${h}`;
const kindOf = (h: number): HookKind => (h < 3 ? "callback" : "function");

async function seed(db: Db): Promise<void> {
  const workspaces = Array.from({ length: WORKSPACES }, (_, w) => ({ id: wsId(w), name: `bench ${w}` }));
  await db.insertInto("workspaces").values(workspaces).execute();
  const hooks = workspaces.flatMap((_, w) =>
    Array.from({ length: HOOKS_PER_WORKSPACE }, (_, h) => ({
      id: hookId(w, h),
      workspace_id: wsId(w),
      kind: kindOf(h),
      name: `hook ${h}`,
      events: JSON.stringify(["*"]),
      retry: JSON.stringify({ maxAttempts: 8 }),
    })),
  );
  await db.insertInto("hooks").values(hooks).execute();
  const chunk = 200_000;
  for (let start = 1; start <= ATTEMPTS; start += chunk) {
    const end = Math.min(ATTEMPTS, start + chunk - 1);
    // 60% in workspace 0; hook by g; ~3% failures of three kinds; one attempt every 2.6 s over 30 days.
    await sql`
      insert into attempts (id, workspace_id, hook_id, kind, trigger, event_id, event_type, delivery_id,
        attempt, outcome, started_at, duration_ms, request, response, result, logs, error, cpu_ms, created_at)
      select 'att_' || lpad(g::text, 10, '0'), w.ws, replace(w.ws, 'ws_', 'hk_') || '_' || hi.h, k.kind, 'delivery',
        'evt_' || (g / 3), (array['verification','manual_verification','order.created','order.paid'])[1 + (g / 7) % 4],
        null, 1 + g % 3, o.outcome, t.at, ((g::bigint * 7919) % 1500)::int,
        case when k.kind = 'callback' then jsonb_build_object('method','POST','url','https://crm.example/hooks',
          'headers', jsonb_build_object('webhook-id','dlv_x','content-type','application/json'),
          'body', repeat('x', 200)) end,
        case when k.kind = 'callback' then jsonb_build_object('status', case when o.outcome = 'success' then 200 else 500 end,
          'headers', '{}'::jsonb, 'body', 'ok', 'bodyTruncated', false) end,
        case when k.kind = 'function' then '{"ok": true}'::jsonb end,
        case when k.kind = 'function' then '{"lines": [{"level":"log","message":"received"}], "truncated": false}'::jsonb end,
        case when o.outcome <> 'success' then '{"message":"failed"}'::jsonb end,
        case when k.kind = 'function' then (g % 50)::float8 end,
        t.at
      from generate_series(${start}::int, ${end}::int) as g
      cross join lateral (select case when g % 10 < 6 then 0 else 1 + g % 9 end as w_index) wi
      cross join lateral (select ${sql.lit("ws_bench")} || lpad(wi.w_index::text, 2, '0') as ws) w
      cross join lateral (select g % ${sql.lit(HOOKS_PER_WORKSPACE)} as h) hi
      cross join lateral (select case when hi.h < 3 then 'callback' else 'function' end as kind) k
      cross join lateral (select case when g % 97 = 0 then 'timeout' when g % 53 = 0 then 'http_error'
        when g % 71 = 0 then 'error' else 'success' end as outcome) o
      cross join lateral (select now() - (${ATTEMPTS}::int - g) * interval '2600 milliseconds' as at) t`.execute(
      db,
    );
    progress(`seeded ${end.toLocaleString()} attempts`);
  }
  progress("vacuum analyze");
  await sql`vacuum analyze attempts`.execute(db);
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}
const nodes = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

async function planOf(db: Db, query: Compilable): Promise<string> {
  const compiled = query.compile();
  const result = await db.executeQuery<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
    CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
  );
  const plan = result.rows[0]?.["QUERY PLAN"][0]?.Plan;
  if (!plan) return "?";
  return nodes(plan)
    .filter((n) => n["Index Name"] || n["Relation Name"] === "attempts")
    .map((n) => `${n["Node Type"]}${n["Index Name"] ? ` ${n["Index Name"]}` : ""}`)
    .join(" > ");
}

async function p50(run: () => Promise<unknown>): Promise<number> {
  await run(); // warm
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** A cursor `DEPTH` rows into the filter's order (or as deep as it goes), and how deep that is. */
async function deepCursor(db: Db, ws: string, filter: LogFilter): Promise<[string, number] | null> {
  for (const depth of [DEPTH, 10_000, 1_000, 100]) {
    const row = await filteredAttempts(db, ws, filter)
      .select(["id", positionColumn])
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .offset(depth)
      .limit(1)
      .executeTakeFirst();
    if (row) return [encodeCursor({ at: row.position, id: row.id }), depth];
  }
  return null;
}

/** Every filter's first and deep page in one workspace, as a table. */
async function benchWorkspace(db: Db, ws: string): Promise<void> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from attempts where workspace_id = ${ws}`.execute(db);
  console.log(
    `\n${ATTEMPTS.toLocaleString()} attempts; workspace ${ws} holds ${rows[0]?.n.toLocaleString()}; p50 of ${RUNS} runs, page size 50\n`,
  );

  const dayAgo = new Date(Date.now() - 86_400_000);
  const filters: [string, LogFilter][] = [
    ["workspace only", {}],
    ["hookId", { hookId: hookOf(ws, 1) }],
    ["kind=function", { kind: "function" }],
    ["outcome=timeout", { outcome: "timeout" }],
    ["status=succeeded", { status: "succeeded" }],
    ["status=failed", { status: "failed" }],
    ["eventType", { eventType: "order.paid" }],
    ["eventId", { eventId: "evt_123456" }],
    [
      "since/until (one day, a week ago)",
      { since: new Date(Date.now() - 8 * 86_400_000), until: new Date(Date.now() - 7 * 86_400_000) },
    ],
    ["hookId + status=failed", { hookId: hookOf(ws, 4), status: "failed" }],
    ["kind + eventType", { kind: "callback", eventType: "verification" }],
    ["status=failed + since 24h", { status: "failed", since: dayAgo }],
  ];
  const header = ["filter", "first page ms", "deep page ms (depth)", "plan (first page)", "plan (deep page)"];
  console.log(header.join(" | "));
  console.log(header.map(() => "---").join(" | "));
  for (const [label, filter] of filters) {
    const first = logPageQuery(db, ws, { ...filter, limit: 50 });
    if (!first.ok) throw new Error(first.error.message);
    const firstMs = await p50(() => first.value.execute());
    const deep = await deepCursor(db, ws, filter);
    let deepCell = "n/a (fewer than 100 rows)";
    let deepPlan = "";
    if (deep) {
      const page = logPageQuery(db, ws, { ...filter, limit: 50, cursor: deep[0] });
      if (!page.ok) throw new Error(page.error.message);
      deepCell = `${(await p50(() => page.value.execute())).toFixed(2)} (${deep[1].toLocaleString()})`;
      deepPlan = await planOf(db, page.value);
    }
    console.log([label, firstMs.toFixed(2), deepCell, await planOf(db, first.value), deepPlan].join(" | "));
  }
}

/** The charts' queries of one workspace, per window: p50 time and plan. */
async function benchActivity(db: Db, ws: string): Promise<void> {
  console.log(`\ncharts of workspace ${ws} (p50 of ${RUNS} runs)\n`);
  const header = ["chart", "1h ms", "24h ms", "7d ms", "plan (7d)"];
  console.log(header.join(" | "));
  console.log(header.map(() => "---").join(" | "));
  const week = bucketsOf("7d", new Date());
  const compilable = (query: RawBuilder<unknown>): Compilable => ({ compile: () => query.compile(db) });
  const failing = (w: ActivityWindowValue) => {
    const b = bucketsOf(w, new Date());
    return failingHooksQuery(ws, b.from, b.to).execute(db);
  };
  const charts: [string, (w: ActivityWindowValue) => Promise<unknown>, Compilable][] = [
    [
      "hook activity",
      (w) => activity(db, ws, hookId(0, 0), w),
      compilable(activityQuery(ws, hookId(0, 0), week)),
    ],
    [
      "workspace activity (buckets + failing hooks)",
      (w) => workspaceActivity(db, ws, w),
      compilable(activityQuery(ws, null, week)),
    ],
    ["failing hooks alone", failing, compilable(failingHooksQuery(ws, week.from, week.to))],
    ["hook list sparklines", (w) => hookSparklines(db, ws, w), compilable(sparklinesQuery(ws, week))],
  ];
  for (const [label, run, query] of charts) {
    const times = [];
    for (const w of ["1h", "24h", "7d"] as const) times.push((await p50(() => run(w))).toFixed(2));
    console.log([label, ...times, await planOf(db, query)].join(" | "));
  }
}

async function main(): Promise<void> {
  const name = `hookrun_bench_logs_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const opened = await openDatabase({ url: url.toString() });
  try {
    const db = opened.db;
    await migrateToLatest(db);
    const seeding = performance.now();
    await seed(db);
    progress(`seeded in ${((performance.now() - seeding) / 1000).toFixed(0)} s`);
    for (const ws of [wsId(0), wsId(5)]) await benchWorkspace(db, ws);
    const ws = wsId(0);
    const statsMs = await p50(() => hookStats(db, ws, hookId(0, 0), "24h"));
    const stats7 = await p50(() => hookStats(db, ws, hookId(0, 0), "7d"));
    const ids = Array.from({ length: HOOKS_PER_WORKSPACE }, (_, h) => hookId(0, h));
    const healthMs = await p50(() => hookHealth(db, ws, ids));
    console.log(
      `\nhook stats 24h: ${statsMs.toFixed(2)} ms; 7d: ${stats7.toFixed(2)} ms; hook list health (5 hooks): ${healthMs.toFixed(2)} ms`,
    );
    await benchActivity(db, ws);
  } finally {
    await opened.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}

await main();
