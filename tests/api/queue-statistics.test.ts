// Protects the queue's statistics upkeep (api/src/dispatch/queue-statistics.ts): after `every`
// finished deliveries the worker's QueueStatistics analyzes deliveries and events, so the planner
// sees the tables as they are (stale statistics stalled fan-out for ~20 s a minute at 2,000/s);
// below that it does nothing; and a process that finds another analyzing skips its turn instead of
// queueing behind it. Both databases (the lock test on PostgreSQL: it needs a second session).
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeQueue, QueueStatistics } from "../../api/src/dispatch/queue-statistics";
import { callbackHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("queue statistics on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    const hook = callbackHook({ urls: ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"] });
    expect(
      (await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, { key: acme.admin, body: hook })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await api.close();
  });

  /** Posts `n` events (two deliveries each); no worker runs, they stay pending. */
  async function post(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: { i } },
      });
      expect(res.status).toBe(202);
    }
  }
  /** What the planner believes the deliveries table holds, and what it holds. */
  async function planned(): Promise<{ believed: number; actual: number }> {
    const { rows } = await sql<{ believed: number; actual: string }>`
      select (select reltuples from pg_class where relname = 'deliveries')::float8 as believed,
        (select count(*) from deliveries) as actual`.execute(api.db);
    const row = rows[0] as { believed: number; actual: string };
    return { believed: Number(row.believed), actual: Number(row.actual) };
  }

  it("analyzes the queue's tables after `every` finished deliveries, and not before", async () => {
    const statistics = new QueueStatistics(api.db, 3);
    await post(5);
    const before = await planned();
    expect(before.believed).not.toBe(before.actual);
    statistics.delivered();
    statistics.delivered();
    expect(await statistics.analyzeIfDue()).toBe(false);
    expect(await planned()).toEqual(before);
    statistics.delivered();
    expect(await statistics.analyzeIfDue()).toBe(true);
    const after = await planned();
    expect(after.believed).toBe(after.actual);
    // The count starts again.
    expect(await statistics.analyzeIfDue()).toBe(false);
  });

  it.runIf(target.name === "postgres")("skips its turn while another process analyzes", async () => {
    const other = new pg.Client({ connectionString: api.url ?? undefined });
    await other.connect();
    try {
      await other.query("begin");
      // The lock analyzeQueue takes, held by another session as a concurrent analyze would.
      await other.query("select pg_advisory_xact_lock($1, $2)", [0x686b7275, 2]);
      await post(2);
      const before = await planned();
      expect(await analyzeQueue(api.db)).toBe(false);
      expect(await planned()).toEqual(before);
      await other.query("rollback");
      expect(await analyzeQueue(api.db)).toBe(true);
    } finally {
      await other.end();
    }
  });
});
