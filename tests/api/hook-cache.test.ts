// Protects the API fast path (issue 16): GET hook, invoke and /v1/me answer from memory (no
// statement in steady state; invoke's one statement is its attempt), yet every way a hook changes
// reaches every process's cache at once, the worker's changes too, and a hook's 24 h health shows an
// attempt at once in the process that wrote it and by NOTIFY in another. Two cached apps over one
// database stand for two processes; their TTL is 10 minutes, so only an announcement explains an
// entry going away.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptWriter } from "../../api/src/dispatch/attempt-writer";
import { countRoundTrips } from "../../bench/http/round-trips";
import { callbackHook, functionHook, type TestApi, testWorker } from "../support/app";
import { attemptRow } from "../support/attempt-row";
import { type CachedApp, eventually, twoCachedApps } from "../support/cached-app";
import { createPostgresDatabase, testDatabases } from "../support/db";
import { startReceiver } from "../support/receiver";

describe.each(testDatabases)("hooks and health from the hot cache on $name", (target) => {
  let api: TestApi;
  let b: CachedApp;
  let c: CachedApp;

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ api, b, c, close } = await twoCachedApps(target));
  });
  afterAll(() => close());

  const fn = (v: number) => `export default () => ({ v: ${v} })`;

  it("runs no statement for GET hook and /v1/me, and only the attempt's for invoke, in steady state", async () => {
    const pg = target.name === "postgres" ? await createPostgresDatabase() : null;
    try {
      const counts = new Map((await countRoundTrips(pg?.url ?? null)).map((r) => [r.name, r]));
      expect(counts.get("get-hook")?.perRequest, String(counts.get("get-hook")?.last)).toBe(0);
      expect(counts.get("me")?.perRequest, String(counts.get("me")?.last)).toBe(0);
      expect(counts.get("invoke")?.perRequest, String(counts.get("invoke")?.last)).toBe(1);
      expect(counts.get("invoke")?.last[0]).toMatch(/insert into attempts/);
    } finally {
      await pg?.drop();
    }
  });

  it("shows every change of a function hook at once where it is made and by NOTIFY in the other", async () => {
    const { ws, admin } = await api.workspace("fn-writes");
    const hooks = `/v1/workspaces/${ws}/hooks`;
    const id = (await b.request("POST", hooks, admin, functionHook({ source: fn(1) }))).body.id;
    const get = async (app: CachedApp) => (await app.request("GET", `${hooks}/${id}`, admin)).body;
    const invoked = async (app: CachedApp) =>
      (await app.request("POST", `${hooks}/${id}/invoke`, admin, { data: {} })).body.result?.v;
    // Both processes hold the hook before each change, so a stale copy would be served.
    expect(await invoked(b)).toBe(1);
    expect(await invoked(c)).toBe(1);
    expect(c.cache.hasHook(ws, id)).toBe(true);

    expect((await b.request("PUT", `${hooks}/${id}/source`, admin, { source: fn(2) })).status).toBe(200);
    expect((await get(b)).source).toBe(fn(2));
    expect(await eventually(async () => (await get(c)).source === fn(2))).toBe(true);

    expect((await b.request("POST", `${hooks}/${id}/deploy`, admin, {})).body.version).toBe(2);
    expect(await invoked(b)).toBe(2);
    expect(await eventually(async () => (await invoked(c)) === 2)).toBe(true);

    expect((await c.request("POST", `${hooks}/${id}/deploy`, admin, { version: 1 })).status).toBe(200);
    expect(await invoked(c)).toBe(1);
    expect(await eventually(async () => (await invoked(b)) === 1)).toBe(true);

    expect((await b.request("PATCH", `${hooks}/${id}`, admin, { name: "renamed" })).status).toBe(200);
    expect((await get(b)).name).toBe("renamed");
    expect(await eventually(async () => (await get(c)).name === "renamed")).toBe(true);

    expect((await c.request("DELETE", `${hooks}/${id}`, admin)).status).toBe(204);
    expect((await c.request("GET", `${hooks}/${id}`, admin)).status).toBe(404);
    expect(
      await eventually(async () => (await b.request("GET", `${hooks}/${id}`, admin)).status === 404),
    ).toBe(true);
  });

  it("shows a rotated signing secret's grace period at once and by NOTIFY", async () => {
    const { ws, admin } = await api.workspace("cb-writes");
    const hooks = `/v1/workspaces/${ws}/hooks`;
    const id = (await b.request("POST", hooks, admin, callbackHook())).body.id;
    const rotating = async (app: CachedApp) =>
      (await app.request("GET", `${hooks}/${id}`, admin)).body.signing.rotatingUntil;
    expect(await rotating(b)).toBeNull();
    expect(await rotating(c)).toBeNull();
    const rotated = await b.request("POST", `${hooks}/${id}/signing-secret/rotate`, admin, {
      graceSeconds: 60,
    });
    expect(rotated.status).toBe(200);
    expect(await rotating(b)).not.toBeNull();
    expect(await eventually(async () => (await rotating(c)) !== null)).toBe(true);
  });

  it("shows a changed header's and a rotated secret's masks at once (a changed hook's view is worked out anew)", async () => {
    const { ws, admin } = await api.workspace("cb-masks");
    const hooks = `/v1/workspaces/${ws}/hooks`;
    const created = await b.request(
      "POST",
      hooks,
      admin,
      callbackHook({ headers: { "X-Token": "first-token-0001" } }),
    );
    const id = created.body.id;
    const view = async () => (await b.request("GET", `${hooks}/${id}`, admin)).body;
    // The cached hook's view is computed once and reused while the hook is unchanged.
    expect((await view()).headers).toEqual({ "x-token": "••••0001" });
    expect((await view()).headers).toEqual({ "x-token": "••••0001" });
    const patched = await b.request("PATCH", `${hooks}/${id}`, admin, {
      headers: { "X-Token": "second-token-0002" },
    });
    expect(patched.status).toBe(200);
    expect((await view()).headers).toEqual({ "x-token": "••••0002" });
    const rotated = await b.request("POST", `${hooks}/${id}/signing-secret/rotate`, admin, {
      graceSeconds: 0,
    });
    expect(rotated.status).toBe(200);
    expect((await view()).signing.secret).toBe(`••••${String(rotated.body.secret).slice(-4)}`);
  });

  it("drops a hook the worker changes: a failing streak's start and end, a URL gone with 410", async () => {
    const { ws, admin, ingest } = await api.workspace("worker-writes");
    const hooks = `/v1/workspaces/${ws}/hooks`;
    const receiver = await startReceiver();
    const worker = testWorker(api);
    let status = 500;
    receiver.reply((req) => ({ status: req.path === "/gone" ? 410 : status }));
    const post = () =>
      api.request("POST", `/v1/workspaces/${ws}/events`, {
        key: ingest,
        body: { type: "verification", data: {} },
      });
    try {
      const id = (
        await b.request(
          "POST",
          hooks,
          admin,
          callbackHook({ urls: [`${receiver.url}/flaky`], retry: { maxAttempts: 1 } }),
        )
      ).body.id;
      const cached = async () =>
        (await c.request("GET", `${hooks}/${id}`, admin)).status === 200 && c.cache.hasHook(ws, id);
      await worker.start();
      // The streak starts (failing_since, shown nowhere): only the worker's announcement drops c's copy.
      // One attempt per delivery, so no retry of a failed one can end the streak behind the test's back.
      expect(await eventually(cached)).toBe(true);
      await post();
      expect(await eventually(() => !c.cache.hasHook(ws, id), 15_000)).toBe(true);
      // And ends.
      status = 200;
      expect(await eventually(cached)).toBe(true);
      await post();
      expect(await eventually(() => !c.cache.hasHook(ws, id), 15_000)).toBe(true);

      const gone = (await b.request("POST", hooks, admin, callbackHook({ urls: [`${receiver.url}/gone`] })))
        .body.id;
      const disabledUrls = async () => (await c.request("GET", `${hooks}/${gone}`, admin)).body.disabledUrls;
      expect(await disabledUrls()).toEqual([]);
      await post();
      expect(await eventually(async () => (await disabledUrls()).length === 1, 15_000)).toBe(true);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it("keeps a hook's health until an attempt is written: at once where invoked, by NOTIFY elsewhere", async () => {
    const { ws, admin } = await api.workspace("health");
    const hooks = `/v1/workspaces/${ws}/hooks`;
    const id = (await b.request("POST", hooks, admin, functionHook({ source: fn(1) }))).body.id;
    const attempts = async (app: CachedApp) =>
      (await app.request("GET", `${hooks}/${id}`, admin)).body.health.attempts;
    expect(await attempts(b)).toBe(0);
    expect(await attempts(c)).toBe(0);
    // A row written without the attempts NOTIFY is not seen: the answer is held, not re-read.
    await api.db
      .insertInto("attempts")
      .values(attemptRow(ws, id, "att_silent"))
      .execute();
    expect(await attempts(b)).toBe(0);
    expect(await attempts(c)).toBe(0);

    expect((await b.request("POST", `${hooks}/${id}/invoke`, admin, { data: {} })).status).toBe(200);
    expect(await attempts(b)).toBe(2);
    expect(await eventually(async () => (await attempts(c)) === 2)).toBe(true);

    // As a worker process writes attempts: both hear its NOTIFY.
    await new AttemptWriter(api.db).write({
      subject: {
        workspaceId: ws,
        hookId: id,
        eventId: null,
        eventType: "verification",
        deliveryId: null,
        attempt: 1,
        trigger: "delivery",
      },
      record: { kind: "function", outcome: "error", startedAt: new Date(), durationMs: 3 },
    });
    for (const app of [b, c]) expect(await eventually(async () => (await attempts(app)) === 3)).toBe(true);
  });
});
