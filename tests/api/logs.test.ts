// Protects the execution log: summaries newest first with every filter, the full record by id,
// tenancy, cursor pages that neither skip nor repeat while attempts keep arriving, per-hook stats,
// and — on a seeded table — that every filter's page query is an index scan, never a Seq Scan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LogFilter, logPageQuery } from "../../api/src/services/logs";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { attemptRow, type AttemptRow as Row } from "../support/attempt-row";
import { testDatabases } from "../support/db";
import { type LogsApp, logsApp } from "../support/logs-app";
import { attemptsReads, explain, seedPlanTable } from "../support/query-plan";

describe.each(testDatabases)("logs on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let other: WorkspaceKeys;
  let logs: LogsApp;
  let cb: string;
  let fn: string;
  let idle: string;
  let otherHook: string;
  const base = Date.now() - 3_600_000;
  const at = (seconds: number) => new Date(base + seconds * 1000);
  const list = (query: string, key = acme.operator) =>
    logs.get(`/v1/workspaces/${acme.ws}/logs${query}`, key);
  const ids = async (query: string) => {
    const res = await list(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.map((r: { id: string }) => r.id);
  };

  const row = attemptRow;
  const insert = (rows: Row[]) => api.db.insertInto("attempts").values(rows).execute();

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    other = await api.workspace("other");
    logs = logsApp(api);
    const hook = async (keys: WorkspaceKeys, body: unknown) =>
      (await api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, { key: keys.admin, body })).body
        .id as string;
    cb = await hook(acme, callbackHook({ name: "crm" }));
    fn = await hook(acme, functionHook({ name: "scorer", events: ["manual_verification"] }));
    idle = await hook(acme, callbackHook({ name: "idle" }));
    otherHook = await hook(other, callbackHook());

    const request = { method: "POST", url: "https://crm.example/hooks", headers: { "webhook-id": "dlv_1" } };
    await insert([
      row(acme.ws, cb, "att_a1", {
        event_id: "evt_1",
        duration_ms: 100,
        created_at: at(10),
        request: JSON.stringify(request),
        response: JSON.stringify({ status: 200, headers: {}, body: "ok", bodyTruncated: false }),
      }),
      row(acme.ws, cb, "att_a2", {
        event_id: "evt_1",
        attempt: 2,
        outcome: "http_error",
        duration_ms: 300,
        created_at: at(20),
        request: JSON.stringify(request),
        response: JSON.stringify({ status: 500, headers: {}, body: "boom", bodyTruncated: false }),
      }),
      row(acme.ws, fn, "att_a3", {
        kind: "function",
        event_id: "evt_2",
        event_type: "manual_verification",
        created_at: at(30),
        cpu_ms: 3.5,
        heap_bytes: 1_048_576,
        result: JSON.stringify({ ok: true }),
        logs: JSON.stringify({ lines: [{ level: "log", message: "hello" }], truncated: false }),
      }),
      row(acme.ws, fn, "att_a4", {
        kind: "function",
        event_id: "evt_2",
        event_type: "manual_verification",
        outcome: "error",
        created_at: at(40),
        error: JSON.stringify({
          name: "TypeError",
          message: "x is undefined",
          stack: "at handler (index.ts:3:7)",
        }),
      }),
      row(acme.ws, cb, "att_a5", {
        event_id: "evt_3",
        outcome: "timeout",
        duration_ms: 1000,
        created_at: at(50),
        error: JSON.stringify({ message: "timed out after 1000 ms" }),
      }),
      row(other.ws, otherHook, "att_o1", { created_at: at(45) }),
    ]);
  });
  afterAll(() => api.close());

  it("lists summaries newest first, without the big JSON columns", async () => {
    const res = await list("");
    expect(res.body.data.map((r: { id: string }) => r.id)).toEqual([
      "att_a5",
      "att_a4",
      "att_a3",
      "att_a2",
      "att_a1",
    ]);
    expect(res.body.nextCursor).toBeNull();
    const byId = new Map(res.body.data.map((r: { id: string }) => [r.id, r]));
    expect(byId.get("att_a2")).toEqual({
      id: "att_a2",
      hookId: cb,
      hookName: "crm",
      kind: "callback",
      trigger: "delivery",
      eventId: "evt_1",
      eventType: "verification",
      deliveryId: null,
      attempt: 2,
      outcome: "http_error",
      startedAt: expect.any(String),
      durationMs: 300,
      createdAt: at(20).toISOString(),
      responseStatus: 500,
      cpuMs: null,
    });
    expect(byId.get("att_a3")).toMatchObject({
      kind: "function",
      hookName: "scorer",
      cpuMs: 3.5,
      responseStatus: null,
    });
  });

  it("filters by hook, kind, outcome, status, event type, event id and time range", async () => {
    expect(await ids(`?hookId=${cb}`)).toEqual(["att_a5", "att_a2", "att_a1"]);
    expect(await ids(`?hookId=${idle}`)).toEqual([]);
    expect(await ids("?kind=function")).toEqual(["att_a4", "att_a3"]);
    expect(await ids("?outcome=http_error")).toEqual(["att_a2"]);
    expect(await ids("?status=succeeded")).toEqual(["att_a3", "att_a1"]);
    expect(await ids("?status=failed")).toEqual(["att_a5", "att_a4", "att_a2"]);
    expect(await ids("?eventType=manual_verification")).toEqual(["att_a4", "att_a3"]);
    expect(await ids("?eventId=evt_1")).toEqual(["att_a2", "att_a1"]);
    const range = `?since=${encodeURIComponent(at(20).toISOString())}&until=${encodeURIComponent(at(40).toISOString())}`;
    expect(await ids(range)).toEqual(["att_a3", "att_a2"]);
    expect(await ids(`?hookId=${cb}&status=failed&eventId=evt_1`)).toEqual(["att_a2"]);
  });

  it("shows one record in full: request and response, or result, console lines and error", async () => {
    const callback = await logs.get(`/v1/workspaces/${acme.ws}/logs/att_a2`, acme.admin);
    expect(callback.status).toBe(200);
    expect(callback.body).toMatchObject({
      id: "att_a2",
      responseStatus: 500,
      request: { method: "POST", url: "https://crm.example/hooks" },
      response: { status: 500, body: "boom" },
      result: null,
      error: null,
    });
    const failed = await logs.get(`/v1/workspaces/${acme.ws}/logs/att_a4`, acme.operator);
    expect(failed.body.error).toEqual({
      name: "TypeError",
      message: "x is undefined",
      stack: "at handler (index.ts:3:7)",
    });
    const ok = await logs.get(`/v1/workspaces/${acme.ws}/logs/att_a3`, acme.operator);
    expect(ok.body).toMatchObject({
      result: { ok: true },
      logs: { lines: [{ level: "log", message: "hello" }] },
      cpuMs: 3.5,
      heapBytes: 1_048_576,
    });
  });

  it("keeps workspaces apart and refuses ingest keys and bad input", async () => {
    expect((await logs.get(`/v1/workspaces/${acme.ws}/logs/att_o1`, acme.admin)).status).toBe(404);
    expect((await logs.get(`/v1/workspaces/${other.ws}/logs/att_a1`, other.admin)).status).toBe(404);
    expect((await logs.get(`/v1/workspaces/${other.ws}/logs`, acme.admin)).status).toBe(403);
    expect((await list("", acme.ingest)).status).toBe(403);
    expect((await list("?kind=lambda")).status).toBe(400);
    expect((await list("?limit=201")).status).toBe(400);
    expect((await list("?since=yesterday")).status).toBe(400);
    const bad = await list("?cursor=bm90LWEtY3Vyc29y");
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: "cursor", message: "is not a cursor this API returned" },
    ]);
  });

  it("pages with a cursor and neither skips nor repeats while new attempts arrive", async () => {
    const paging = await api.workspace("paging");
    const hook = (
      await api.request("POST", `/v1/workspaces/${paging.ws}/hooks`, {
        key: paging.admin,
        body: callbackHook(),
      })
    ).body.id as string;
    // 30 attempts of one batch share one created_at (with microseconds, as a transaction's now()
    // has); 15 more each have their own. Pages of 10 cut through the batch.
    const shared = "2026-11-22T10:00:00.123456Z";
    const seeded = [
      ...Array.from({ length: 30 }, (_, i) =>
        row(paging.ws, hook, `att_b${String(i).padStart(3, "0")}`, { created_at: shared }),
      ),
      ...Array.from({ length: 15 }, (_, i) =>
        row(paging.ws, hook, `att_s${String(i).padStart(3, "0")}`, {
          created_at: `2026-11-22T10:00:0${i % 2}.12345${i % 10}Z`,
        }),
      ),
    ];
    await insert(seeded);
    const expected = (
      await api.db
        .selectFrom("attempts")
        .select("id")
        .where("workspace_id", "=", paging.ws)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .execute()
    ).map((r) => r.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const res = await logs.get(`/v1/workspaces/${paging.ws}/logs?limit=10${query}`, paging.operator);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
      pages += 1;
      // Attempts keep arriving between pages (a batch of two, as the worker writes them).
      await insert([
        row(paging.ws, hook, `att_new${pages}a`, {}),
        row(paging.ws, hook, `att_new${pages}b`, {}),
      ]);
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(45);
  });

  it("answers a hook's stats over a window", async () => {
    const stats = (hook: string, window = "") =>
      logs.get(`/v1/workspaces/${acme.ws}/hooks/${hook}/stats${window}`, acme.operator);
    const res = await stats(cb);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      window: "24h",
      from: expect.any(String),
      to: expect.any(String),
      total: 3,
      byOutcome: { success: 1, http_error: 1, timeout: 1 },
      successRate: 1 / 3,
      durationMs: { p50: 300, p95: 930 },
      filtered: 0,
      lastFailure: {
        at: at(50).toISOString(),
        outcome: "timeout",
        attemptId: "att_a5",
        error: "timed out after 1000 ms",
      },
    });
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(86_400_000);

    const recent = await stats(cb, "?window=30m");
    expect(recent.body).toMatchObject({
      window: "30m",
      total: 0,
      byOutcome: {},
      successRate: null,
      durationMs: { p50: null, p95: null },
      lastFailure: null,
    });
    await insert([
      row(acme.ws, idle, "att_i1", { outcome: "http_error", response: JSON.stringify({ status: 503 }) }),
    ]);
    expect((await stats(idle, "?window=7d")).body.lastFailure).toMatchObject({
      attemptId: "att_i1",
      error: "HTTP 503",
    });

    expect((await stats(cb, "?window=2w")).status).toBe(400);
    expect((await stats(cb, "?window=91d")).status).toBe(400);
    expect((await stats(otherHook)).status).toBe(404);
    expect((await logs.get(`/v1/workspaces/${acme.ws}/hooks/${cb}/stats`, acme.ingest)).status).toBe(403);
  });

  it("shows each hook's health over the last 24 hours in the hook list and on the hook", async () => {
    const res = await api.request("GET", `/v1/workspaces/${acme.ws}/hooks`, { key: acme.operator });
    const health = new Map(res.body.data.map((h: { id: string; health: unknown }) => [h.id, h.health]));
    expect(health.get(cb)).toEqual({
      attempts: 3,
      failures: 2,
      successRate: 1 / 3,
      lastAttemptAt: at(50).toISOString(),
      lastOutcome: "timeout",
    });
    expect(health.get(fn)).toMatchObject({
      attempts: 2,
      failures: 1,
      successRate: 0.5,
      lastOutcome: "error",
    });
    const one = await api.request("GET", `/v1/workspaces/${acme.ws}/hooks/${cb}`, { key: acme.operator });
    expect(one.body.health).toEqual(health.get(cb));
    const fresh = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: callbackHook(),
    });
    expect(fresh.body.health).toEqual({
      attempts: 0,
      failures: 0,
      successRate: null,
      lastAttemptAt: null,
      lastOutcome: null,
    });
  });

  describe("query plans on a seeded table", () => {
    let big: WorkspaceKeys;

    beforeAll(async () => {
      big = await api.workspace("big");
      await seedPlanTable(api, big.ws, other.ws, 20_000);
    });

    const filters: [string, LogFilter][] = [
      ["workspace only", {}],
      ["hook", { hookId: "hk_plan_cb1" }],
      ["kind", { kind: "function" }],
      ["outcome", { outcome: "timeout" }],
      ["status succeeded", { status: "succeeded" }],
      ["status failed", { status: "failed" }],
      ["event type", { eventType: "order.created" }],
      ["event id", { eventId: "evt_plan_777" }],
      ["time range", { since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() - 600_000) }],
      ["hook and failed", { hookId: "hk_plan_fn1", status: "failed" }],
      ["kind and event type", { kind: "callback", eventType: "verification" }],
    ];

    it.each(filters)(
      "serves the %s filter from an index, first page and deep page",
      async (_name, filter) => {
        for (const cursor of [undefined, deepCursor()]) {
          const query = logPageQuery(api.db, big.ws, { ...filter, limit: 50, cursor });
          if (!query.ok) throw new Error(query.error.message);
          const compiled = query.value.compile();
          const plan = await explain(api, compiled.sql, compiled.parameters);
          const reads = attemptsReads(plan);
          expect(reads.unindexed, JSON.stringify(plan)).toEqual([]);
          expect(reads.indexes.length, JSON.stringify(plan)).toBeGreaterThan(0);
        }
      },
    );
  });
});

/** A cursor halfway through the seeded range. */
function deepCursor(): string {
  const at = new Date(Date.now() - 5_000 * 1000).toISOString().replace("Z", "000Z");
  return Buffer.from(JSON.stringify([at, "att_plan_zzzzzzzz"])).toString("base64url");
}
