// Protects hook filters through the API on both databases: a bad filter is refused at save with the
// path of its bad part (422, never a 500); filter-test answers without sending or recording anything;
// at ingest a non-matching event creates no delivery (callbacks and functions) and counts as
// "filtered" in the hook's stats, while a matching one reaches a real receiver on 127.0.0.1; removing
// the filter (PATCH null) restores delivery at once, cached catalog or not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchWorker } from "../../api/src/dispatch/worker";
import { pruneExpired } from "../../api/src/services/retention";
import {
  callbackHook,
  functionHook,
  startTestApi,
  type TestApi,
  testWorker,
  type WorkspaceKeys,
} from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

const bigOrders = { "data.amount": { $gte: 100 }, $or: [{ "context.source": "web" }, { "data.vip": true }] };

describe.each(testDatabases)("hook filters on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker;

  const call = (method: string, path: string, body?: unknown, key = acme.admin) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key, body });
  const post = (body: unknown) => call("POST", "/events", body, acme.ingest);
  const order = (amount: number, source = "web", extra: Record<string, unknown> = {}) => ({
    type: "order.created",
    data: { amount, ...extra },
    context: { source },
  });
  const deliveriesOf = (res: { body: { deliveries: { hookId: string }[] } }, hookId: string) =>
    res.body.deliveries.filter((d) => d.hookId === hookId);
  const count = async (table: "events" | "deliveries" | "attempts") =>
    Number(
      (
        await api.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    api = await startTestApi(target, { cached: true });
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    worker = testWorker(api);
    await worker.start();
    expect((await call("POST", "/event-types", { name: "order.created" })).status).toBe(201);
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await api.close();
  });

  it("saves a filter on create and PATCH, shows it, and removes it with null", async () => {
    const created = await call(
      "POST",
      "/hooks",
      callbackHook({ events: ["order.created"], filter: bigOrders }),
    );
    expect(created.status).toBe(201);
    expect(created.body.filter).toEqual(bigOrders);
    const id = created.body.id;
    expect((await call("GET", `/hooks/${id}`)).body.filter).toEqual(bigOrders);
    const changed = await call("PATCH", `/hooks/${id}`, { filter: { type: "order.created" } });
    expect(changed.body.filter).toEqual({ type: "order.created" });
    expect((await call("PATCH", `/hooks/${id}`, { name: "renamed" })).body.filter).toEqual({
      type: "order.created",
    });
    expect((await call("PATCH", `/hooks/${id}`, { filter: null })).body.filter).toBeNull();
    const fn = await call("POST", "/hooks", functionHook({ filter: { "data.amount": { $lt: 5 } } }));
    expect(fn.status).toBe(201);
    expect(fn.body.filter).toEqual({ "data.amount": { $lt: 5 } });
    expect((await call("POST", "/hooks", callbackHook())).body.filter).toBeNull();
  });

  it("refuses a bad filter with 422 naming the bad part, on create and on PATCH", async () => {
    const bad = { $or: [{ type: "order.created" }, { "data.amount": { $gt: true } }], timestamp: 1 };
    const created = await call("POST", "/hooks", callbackHook({ filter: bad }));
    expect(created.status).toBe(422);
    expect(created.body.error).toMatchObject({
      code: "unprocessable",
      details: [
        { path: "filter.$or.1.data.amount.$gt", message: "must be a number or a string" },
        { path: "filter.timestamp", message: "must start at type, data or context" },
      ],
    });
    const hook = await call("POST", "/hooks", callbackHook());
    const patched = await call("PATCH", `/hooks/${hook.body.id}`, { filter: { "data.a": { $in: [] } } });
    expect(patched.status).toBe(422);
    expect(patched.body.error.details).toEqual([
      { path: "filter.data.a.$in", message: "must be an array of 1 to 100 values" },
    ]);
    expect((await call("GET", `/hooks/${hook.body.id}`)).body.filter).toBeNull();
    // Not an object at all: the body's shape is wrong, as for any other field.
    const notObject = await call("POST", "/hooks", callbackHook({ filter: ["type"] }));
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.details[0].path).toBe("filter");
  });

  it("filter-test answers for the saved filter or an unsaved one, and records nothing", async () => {
    const hook = await call("POST", "/hooks", callbackHook({ events: ["order.created"], filter: bigOrders }));
    const test = (body: unknown, key?: string) =>
      call("POST", `/hooks/${hook.body.id}/filter-test`, body, key);
    const before = await Promise.all([count("events"), count("deliveries"), count("attempts")]);

    expect((await test({ event: order(150) })).body).toEqual({ matches: true });
    expect((await test({ event: order(50) })).body).toEqual({ matches: false });
    expect((await test({ event: order(150, "api") })).body).toEqual({ matches: false });
    // A received envelope pasted whole: the fields a filter does not see are ignored.
    const envelope = { id: "evt_1", timestamp: "2026-12-02T00:00:00Z", workspace: acme.ws, ...order(150) };
    expect((await test({ event: envelope })).body).toEqual({ matches: true });
    // The editor's unsaved filter, and no filter at all.
    expect((await test({ event: order(50), filter: { "data.amount": { $lt: 60 } } })).body).toEqual({
      matches: true,
    });
    expect((await test({ event: order(50), filter: null })).body).toEqual({ matches: true });
    const bad = await test({ event: order(50), filter: { "data.amount": { $gt: null } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: "filter.data.amount.$gt", message: "must be a number or a string" },
    ]);

    expect((await test({ event: order(1) }, acme.operator)).status).toBe(403);
    expect((await test({ event: order(1) }, acme.ingest)).status).toBe(403);
    expect((await call("POST", "/hooks/hk_nope/filter-test", { event: order(1) })).status).toBe(404);
    expect((await test({})).status).toBe(400);
    expect(await Promise.all([count("events"), count("deliveries"), count("attempts")])).toEqual(before);
  });

  it("ingest delivers what matches to a real receiver, creates nothing for the rest and counts them", async () => {
    const url = `${receiver.url}/filtered`;
    const hook = await call(
      "POST",
      "/hooks",
      callbackHook({ events: ["order.created"], urls: [url], filter: bigOrders }),
    );
    const fn = await call(
      "POST",
      "/hooks",
      functionHook({
        events: ["order.created"],
        source: "export default () => ({ ok: true })",
        filter: { "data.amount": { $lt: 10 } },
      }),
    );
    const open = await call(
      "POST",
      "/hooks",
      callbackHook({ events: ["order.created"], urls: [`${receiver.url}/all`] }),
    );
    expect([hook.status, fn.status, open.status]).toEqual([201, 201, 201]);

    const big = await post(order(150, "web", { n: 1 }));
    const small = await post(order(5, "web", { n: 2 }));
    const wrongSource = await post(order(500, "api", { n: 3 }));
    const vip = await post(order(500, "api", { n: 4, vip: true }));
    for (const res of [big, small, wrongSource, vip]) expect(res.status).toBe(202);

    expect(deliveriesOf(big, hook.body.id)).toHaveLength(1);
    expect(deliveriesOf(vip, hook.body.id)).toHaveLength(1);
    expect(deliveriesOf(small, hook.body.id)).toEqual([]);
    expect(deliveriesOf(wrongSource, hook.body.id)).toEqual([]);
    expect(deliveriesOf(small, fn.body.id)).toHaveLength(1);
    for (const res of [big, wrongSource, vip]) expect(deliveriesOf(res, fn.body.id)).toEqual([]);
    for (const res of [big, small, wrongSource, vip]) expect(deliveriesOf(res, open.body.id)).toHaveLength(1);

    // Every delivery made reached the receiver (4 unfiltered + 2 matching); nothing else did.
    await receiver.waitFor(6);
    const filteredSeen = receiver.requests
      .filter((r) => r.path === "/filtered")
      .map((r) => JSON.parse(r.body).data.n)
      .sort();
    expect(filteredSeen).toEqual([1, 4]);
    const stored = await api.db
      .selectFrom("deliveries")
      .select("hook_id")
      .where("event_id", "in", [small.body.id, wrongSource.body.id])
      .where("hook_id", "in", [hook.body.id, fn.body.id, open.body.id])
      .execute();
    expect(stored.map((d) => d.hook_id).sort()).toEqual([fn.body.id, open.body.id, open.body.id].sort());

    // The attempts are recorded a moment after the receiver answers.
    await expect
      .poll(async () => (await call("GET", `/hooks/${hook.body.id}/stats?window=1h`)).body)
      .toMatchObject({ filtered: 2, total: 2, byOutcome: { success: 2 } });
    expect((await call("GET", `/hooks/${fn.body.id}/stats`)).body.filtered).toBe(3);
    expect((await call("GET", `/hooks/${open.body.id}/stats`)).body.filtered).toBe(0);
  });

  it("an idempotent repeat of a filtered event is not counted again", async () => {
    const hook = await call(
      "POST",
      "/hooks",
      callbackHook({ events: ["order.created"], filter: { "data.amount": 0 } }),
    );
    const event = { ...order(7), id: `order-${hook.body.id}` };
    expect(deliveriesOf(await post(event), hook.body.id)).toEqual([]);
    expect(deliveriesOf(await post(event), hook.body.id)).toEqual([]);
    expect((await call("GET", `/hooks/${hook.body.id}/stats`)).body.filtered).toBe(1);
  });

  it("PATCH filter null restores delivery at once, and a new filter applies at once", async () => {
    const url = `${receiver.url}/patched`;
    const hook = await call(
      "POST",
      "/hooks",
      callbackHook({ events: ["order.created"], urls: [url], filter: { "data.amount": { $gt: 1000 } } }),
    );
    // The catalog is cached after the first event; the PATCH must not wait for it to expire.
    expect(deliveriesOf(await post(order(1)), hook.body.id)).toEqual([]);
    expect((await call("PATCH", `/hooks/${hook.body.id}`, { filter: null })).status).toBe(200);
    const after = await post(order(2, "web", { n: "after" }));
    expect(deliveriesOf(after, hook.body.id)).toHaveLength(1);
    await expect
      .poll(() =>
        receiver.requests.filter((r) => r.path === "/patched").map((r) => JSON.parse(r.body).data.n),
      )
      .toEqual(["after"]);
    await call("PATCH", `/hooks/${hook.body.id}`, { filter: { "context.source": "nowhere" } });
    expect(deliveriesOf(await post(order(3)), hook.body.id)).toEqual([]);
  });

  it("retention deletes filtered counts of hours past the retention period", async () => {
    const hook = await call(
      "POST",
      "/hooks",
      callbackHook({ events: ["order.created"], filter: { type: "x" } }),
    );
    await post(order(1));
    const old = new Date(Date.now() - 40 * 86_400_000);
    old.setUTCMinutes(0, 0, 0);
    await api.db
      .insertInto("hook_filter_counts")
      .values({ workspace_id: acme.ws, hook_id: hook.body.id, hour: old, events: 9 })
      .execute();
    const result = await pruneExpired(api.db, { retentionDays: 30, pauseMs: 0 });
    expect(result.filterCounts).toBe(1);
    const left = await api.db
      .selectFrom("hook_filter_counts")
      .select("events")
      .where("hook_id", "=", hook.body.id)
      .execute();
    expect(left.map((r) => Number(r.events))).toEqual([1]);
  });

  it("the OpenAPI document has the filter's shape and the filter-test route", async () => {
    const doc = (await api.request("GET", "/openapi.json")).body;
    const operation = doc.paths["/v1/workspaces/{ws}/hooks/{id}/filter-test"].post;
    expect(operation.security).toEqual([{ Bearer: ["root", "admin"] }, { Portal: ["admin"] }]);
    expect(doc.components.schemas.HookFilter.additionalProperties.anyOf[0].properties).toHaveProperty(
      "$contains",
    );
    expect(doc.components.schemas.FilterTestResult.properties.matches.type).toBe("boolean");
    expect(doc.components.schemas.HookStats.properties).toHaveProperty("filtered");
  });
});
