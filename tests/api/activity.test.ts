// Protects the charts' numbers: a hook's and the workspace's attempts in fixed, aligned time buckets
// (counts by outcome, p50/p95 duration) for each window, the hooks failing most, every hook's
// success-rate series for the hook list, an empty workspace, tenancy and roles, and — on a seeded
// table — that every activity query reads attempts through an index, never a Seq Scan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityWindowValue } from "../../api/src/schemas/activity";
import { activityQuery } from "../../api/src/services/activity";
import { bucketsOf } from "../../api/src/services/activity-buckets";
import { failingHooksQuery } from "../../api/src/services/failing-hooks";
import { sparklinesQuery } from "../../api/src/services/hook-sparklines";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { attemptRow } from "../support/attempt-row";
import { testDatabases } from "../support/db";
import { attemptsReads, explain, seedPlanTable } from "../support/query-plan";

interface Bucket {
  start: string;
  total: number;
  byOutcome: Record<string, number>;
  durationMs: { p50: number | null; p95: number | null };
}

const MINUTE = 60_000;

describe("bucket layout", () => {
  it("has a fixed count per window, starts aligned to the bucket size, the last bucket holding now", () => {
    const now = new Date("2026-12-03T10:17:42.500Z");
    expect(bucketsOf("1h", now)).toEqual({
      from: new Date("2026-12-03T09:18:00.000Z"),
      to: new Date("2026-12-03T10:18:00.000Z"),
      sizeMs: MINUTE,
      count: 60,
    });
    expect(bucketsOf("24h", now)).toMatchObject({
      from: new Date("2026-12-02T10:30:00.000Z"),
      to: new Date("2026-12-03T10:30:00.000Z"),
      count: 48,
    });
    // 3-hour buckets start at 00, 03, 06… UTC.
    expect(bucketsOf("7d", now)).toMatchObject({
      from: new Date("2026-11-26T12:00:00.000Z"),
      to: new Date("2026-12-03T12:00:00.000Z"),
      count: 56,
    });
    // Exactly on a boundary, now opens a new bucket.
    expect(bucketsOf("1h", new Date("2026-12-03T10:00:00.000Z")).to).toEqual(
      new Date("2026-12-03T10:01:00.000Z"),
    );
  });
});

describe.each(testDatabases)("activity on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let other: WorkspaceKeys;
  let cb: string;
  let fn: string;
  let idle: string;
  let otherHook: string;
  const now = Date.now();
  const ago = (ms: number) => new Date(now - ms);
  let seq = 0;
  const row = (ws: string, hook: string, created: Date, outcome: string, duration: number) =>
    attemptRow(ws, hook, `att_act_${String(seq++).padStart(6, "0")}`, {
      outcome,
      started_at: created,
      duration_ms: duration,
      created_at: created,
    });
  const get = (path: string, key = acme.operator) => api.request("GET", path, { key });
  const hookActivity = (hook: string, window = "1h") =>
    get(`/v1/workspaces/${acme.ws}/hooks/${hook}/activity?window=${window}`);
  /** The bucket of a response that holds the instant `at`. */
  const bucketAt = (buckets: Bucket[], bucketSeconds: number, at: Date) =>
    buckets.find((b) => {
      const start = new Date(b.start).getTime();
      return start <= at.getTime() && at.getTime() < start + bucketSeconds * 1000;
    });

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    other = await api.workspace("other");
    const hook = async (keys: WorkspaceKeys, body: unknown) =>
      (await api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, { key: keys.admin, body })).body
        .id as string;
    cb = await hook(acme, callbackHook({ name: "crm" }));
    fn = await hook(acme, functionHook({ name: "scorer" }));
    idle = await hook(acme, callbackHook({ name: "idle" }));
    otherHook = await hook(other, callbackHook({ name: "theirs" }));
    const tenMin = ago(10 * MINUTE);
    await api.db
      .insertInto("attempts")
      .values([
        // cb: four in one minute (p50 25, p95 38.5), two 3 hours ago, one 3 days ago.
        row(acme.ws, cb, tenMin, "success", 10),
        row(acme.ws, cb, tenMin, "success", 20),
        row(acme.ws, cb, tenMin, "success", 30),
        row(acme.ws, cb, tenMin, "http_error", 40),
        row(acme.ws, cb, ago(180 * MINUTE), "success", 100),
        row(acme.ws, cb, ago(180 * MINUTE), "timeout", 300),
        row(acme.ws, cb, ago(3 * 1440 * MINUTE), "success", 50),
        // fn: two failures and a success in the last hour; one long before every window.
        row(acme.ws, fn, tenMin, "error", 5),
        row(acme.ws, fn, tenMin, "error", 7),
        row(acme.ws, fn, ago(20 * MINUTE), "success", 9),
        row(acme.ws, fn, ago(9 * 1440 * MINUTE), "error", 1),
        // Another workspace's failures count nowhere in acme.
        ...Array.from({ length: 5 }, () => row(other.ws, otherHook, tenMin, "timeout", 1000)),
      ])
      .execute();
  });
  afterAll(async () => {
    await api?.close();
  });

  it("answers a hook's attempts per minute over the last hour, with the bucket's percentiles", async () => {
    const res = await hookActivity(cb);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ window: "1h", bucketSeconds: 60, total: 4 });
    expect(body.byOutcome).toEqual({ success: 3, http_error: 1 });
    expect(body.buckets).toHaveLength(60);
    const from = new Date(body.from).getTime();
    expect(from % MINUTE).toBe(0);
    expect(new Date(body.to).getTime() - from).toBe(3_600_000);
    expect(new Date(body.to).getTime()).toBeGreaterThan(now);
    body.buckets.forEach((b: Bucket, i: number) => {
      expect(new Date(b.start).getTime()).toBe(from + i * MINUTE);
    });
    const full = bucketAt(body.buckets, 60, ago(10 * MINUTE));
    expect(full).toMatchObject({
      total: 4,
      byOutcome: { success: 3, http_error: 1 },
      durationMs: { p50: 25, p95: 38.5 },
    });
    const rest = body.buckets.filter((b: Bucket) => b !== full);
    expect(rest.every((b: Bucket) => b.total === 0 && b.durationMs.p50 === null)).toBe(true);
  });

  it("lays out 24 h as 48 half hours and 7 d as 56 three-hour buckets; 24 h is the default", async () => {
    const day = (await hookActivity(cb, "24h")).body;
    expect(day).toMatchObject({ window: "24h", bucketSeconds: 1800, total: 6 });
    expect(day.buckets).toHaveLength(48);
    expect(day.byOutcome).toEqual({ success: 4, http_error: 1, timeout: 1 });
    expect(bucketAt(day.buckets, 1800, ago(180 * MINUTE))).toMatchObject({
      total: 2,
      byOutcome: { success: 1, timeout: 1 },
      durationMs: { p50: 200, p95: 290 },
    });
    const week = (await hookActivity(cb, "7d")).body;
    expect(week).toMatchObject({ window: "7d", bucketSeconds: 10_800, total: 7 });
    expect(week.buckets).toHaveLength(56);
    expect(new Date(week.from).getTime() % 10_800_000).toBe(0);
    const byDefault = await get(`/v1/workspaces/${acme.ws}/hooks/${cb}/activity`);
    expect(byDefault.body).toMatchObject({ window: "24h", total: 6 });
  });

  it("refuses a window it has no layout for, with the error envelope", async () => {
    for (const window of ["30d", "2w", "", "1H"]) {
      for (const path of [`hooks/${cb}/activity`, "activity", "activity/hooks"]) {
        const res = await get(`/v1/workspaces/${acme.ws}/${path}?window=${window}`);
        expect(res.status, `${path} ${window}`).toBe(400);
        expect(res.body.error).toMatchObject({ code: "validation_failed" });
        expect(res.body.error.details[0].path).toBe("window");
      }
    }
  });

  it("answers the workspace's activity and the hooks failing most", async () => {
    const res = await get(`/v1/workspaces/${acme.ws}/activity?window=1h`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ window: "1h", total: 7 });
    expect(res.body.byOutcome).toEqual({ success: 4, http_error: 1, error: 2 });
    expect(bucketAt(res.body.buckets, 60, ago(10 * MINUTE))).toMatchObject({
      total: 6,
      byOutcome: { success: 3, http_error: 1, error: 2 },
      durationMs: { p50: 15, p95: 37.5 },
    });
    expect(res.body.failingHooks).toEqual([
      { hookId: fn, name: "scorer", kind: "function", attempts: 3, failures: 2, successRate: 1 / 3 },
      { hookId: cb, name: "crm", kind: "callback", attempts: 4, failures: 1, successRate: 0.75 },
    ]);
    const week = (await get(`/v1/workspaces/${acme.ws}/activity?window=7d`)).body;
    expect(week.total).toBe(10);
    expect(
      week.failingHooks.map((h: { hookId: string; failures: number }) => [h.hookId, h.failures]),
    ).toEqual([
      [cb, 2],
      [fn, 2],
    ]);
  });

  it("answers every hook's success-rate series in one call, idle hooks included", async () => {
    const res = await get(`/v1/workspaces/${acme.ws}/activity/hooks?window=1h`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ window: "1h", bucketSeconds: 60 });
    const byHook = new Map(res.body.hooks.map((h: { hookId: string }) => [h.hookId, h]));
    expect([...byHook.keys()].sort()).toEqual([cb, fn, idle].sort());
    const series = byHook.get(cb) as { attempts: number; failures: number; points: unknown[] };
    expect(series).toMatchObject({ attempts: 4, failures: 1 });
    expect(series.points).toHaveLength(60);
    const tenMinIndex = Math.floor((now - 10 * MINUTE - new Date(res.body.from).getTime()) / MINUTE);
    expect(series.points[tenMinIndex]).toEqual({ attempts: 4, successRate: 0.75 });
    expect(series.points.filter((p) => (p as { attempts: number }).attempts > 0)).toHaveLength(1);
    expect(byHook.get(idle)).toMatchObject({ attempts: 0, failures: 0 });
    const idlePoints = (byHook.get(idle) as { points: { successRate: number | null }[] }).points;
    expect(idlePoints.every((p) => p.successRate === null)).toBe(true);
  });

  it("answers empty series for a workspace without attempts or hooks", async () => {
    const empty = await api.workspace("empty");
    const activity = await get(`/v1/workspaces/${empty.ws}/activity`, empty.operator);
    expect(activity.status).toBe(200);
    expect(activity.body).toMatchObject({ window: "24h", total: 0, byOutcome: {}, failingHooks: [] });
    expect(activity.body.buckets).toHaveLength(48);
    expect(activity.body.buckets.every((b: Bucket) => b.total === 0)).toBe(true);
    const sparklines = await get(`/v1/workspaces/${empty.ws}/activity/hooks`, empty.operator);
    expect(sparklines.body).toMatchObject({ window: "24h", hooks: [] });
  });

  it("keeps each workspace's activity to itself and to the roles that read logs", async () => {
    // Another workspace's hook through this workspace's path: not found, like any hook it does not have.
    expect((await hookActivity(otherHook)).status).toBe(404);
    // This workspace's routes with another workspace's key: forbidden.
    for (const path of [`hooks/${cb}/activity`, "activity", "activity/hooks"]) {
      expect((await get(`/v1/workspaces/${acme.ws}/${path}`, other.operator)).status).toBe(403);
      expect((await get(`/v1/workspaces/${acme.ws}/${path}`, acme.ingest)).status).toBe(403);
      expect((await get(`/v1/workspaces/${acme.ws}/${path}`, acme.admin)).status).toBe(200);
    }
    // A deleted hook has no activity to show, and leaves the list's series.
    const gone = (
      await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
        key: acme.admin,
        body: callbackHook({ name: "gone" }),
      })
    ).body.id as string;
    await api.request("DELETE", `/v1/workspaces/${acme.ws}/hooks/${gone}`, { key: acme.admin });
    expect((await hookActivity(gone)).status).toBe(404);
    const list = (await get(`/v1/workspaces/${acme.ws}/activity/hooks`)).body;
    expect(list.hooks.map((h: { hookId: string }) => h.hookId)).not.toContain(gone);
  });

  describe("query plans on a seeded table", () => {
    let big: WorkspaceKeys;

    beforeAll(async () => {
      big = await api.workspace("big");
      // 20,000 attempts over about 30 days, as retention keeps them.
      await seedPlanTable(api, big.ws, other.ws, 20_000, 130);
    });

    const windows: ActivityWindowValue[] = ["1h", "24h", "7d"];
    it.each(windows)(
      "reads attempts through attempts_hook_time_idx for every chart of the %s window",
      async (window) => {
        const buckets = bucketsOf(window, new Date());
        const queries = [
          ["hook", activityQuery(big.ws, "hk_plan_cb1", buckets)],
          ["workspace", activityQuery(big.ws, null, buckets)],
          ["failing hooks", failingHooksQuery(big.ws, buckets.from, buckets.to)],
          ["sparklines", sparklinesQuery(big.ws, buckets)],
        ] as const;
        for (const [name, query] of queries) {
          const compiled = query.compile(api.db);
          const plan = await explain(api, compiled.sql, compiled.parameters);
          const reads = attemptsReads(plan);
          expect(reads.unindexed, `${name}: ${JSON.stringify(plan)}`).toEqual([]);
          expect(reads.indexes.length, `${name}: ${JSON.stringify(plan)}`).toBeGreaterThan(0);
          // The one index carrying outcome and duration: an index-only range per hook.
          expect(new Set(reads.indexes), `${name}: ${JSON.stringify(plan)}`).toEqual(
            new Set(["attempts_hook_time_idx"]),
          );
        }
      },
    );
  });
});
