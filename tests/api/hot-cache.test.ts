// Protects the key and catalog cache that `serve` runs ingest with: several API processes over one
// database, each caching keys and catalogs, must still stop a revoked key (or an ended portal
// session) at once and send a new or edited hook its events at once. Two cached apps over one
// database stand for two processes: what one drops reaches the other only by NOTIFY. Their TTL is
// 10 minutes, so only an announcement can explain an entry going away.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../api/src/security/api-keys";
import { revokeApiKey } from "../../api/src/services/api-keys";
import { type ApiResponse, callbackHook, type TestApi, testWorker } from "../support/app";
import { type CachedApp, eventually, twoCachedApps } from "../support/cached-app";
import { testDatabases } from "../support/db";
import { openPortal } from "../support/portal";
import { startReceiver } from "../support/receiver";

describe.each(testDatabases)("key and catalog cache across API processes on $name", (target) => {
  let api: TestApi;
  let b: CachedApp;
  let c: CachedApp;

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ api, b, c, close } = await twoCachedApps(target));
  });
  afterAll(() => close());

  const post = (app: CachedApp, ws: string, key: string, type = "verification") =>
    app.request("POST", `/v1/workspaces/${ws}/events`, key, { type, data: { n: 1 } });
  const hooksOf = (res: ApiResponse) =>
    new Set<string>(res.body.deliveries.map((d: { hookId: string }) => d.hookId));

  it("stops a key revoked through one process at once there and in the other", async () => {
    const { ws, admin, ingest } = await api.workspace("revoke-across");
    expect((await post(b, ws, ingest)).status).toBe(202);
    expect((await post(c, ws, ingest)).status).toBe(202);
    expect(c.cache.key(hashApiKey(ingest))).toBeDefined();

    const keyId = (await b.request("GET", `/v1/workspaces/${ws}/keys`, admin)).body.data.find(
      (k: { role: string }) => k.role === "ingest",
    ).id;
    expect((await b.request("DELETE", `/v1/workspaces/${ws}/keys/${keyId}`, admin)).status).toBeLessThan(300);
    // The revoking process answers 401 on the very next request.
    expect((await post(b, ws, ingest)).status).toBe(401);
    // The other one as soon as the NOTIFY arrives, not when its 10-minute entry would expire.
    expect(await eventually(() => c.cache.key(hashApiKey(ingest)) === undefined)).toBe(true);
    expect((await post(c, ws, ingest)).status).toBe(401);
    // The admin key of the workspace still works (it is simply read again).
    expect((await c.request("GET", `/v1/workspaces/${ws}/hooks`, admin)).status).toBe(200);
  });

  it("stops a key revoked outside either process (its transaction announces)", async () => {
    const { ws, ingest } = await api.workspace("revoke-sql");
    expect((await post(b, ws, ingest)).status).toBe(202);
    expect((await post(c, ws, ingest)).status).toBe(202);
    const row = await api.db
      .selectFrom("api_keys")
      .select("id")
      .where("hash", "=", hashApiKey(ingest))
      .executeTakeFirstOrThrow();
    expect((await revokeApiKey(api.db, ws, row.id, undefined)).ok).toBe(true);
    for (const app of [b, c]) {
      expect(await eventually(() => app.cache.key(hashApiKey(ingest)) === undefined)).toBe(true);
      expect((await post(app, ws, ingest)).status).toBe(401);
    }
  });

  it("stops a portal session ended through one process at once there and in the other", async () => {
    const { ws, admin } = await api.workspace("portal-across");
    const portal = await openPortal(api, ws, "admin", { key: admin });
    const hooks = `/v1/workspaces/${ws}/hooks`;
    expect((await b.request("GET", hooks, portal.credential)).status).toBe(200);
    expect((await c.request("GET", hooks, portal.credential)).status).toBe(200);
    expect(c.cache.key(hashApiKey(portal.credential))).toBeDefined();
    const ended = await b.request("DELETE", `/v1/workspaces/${ws}/portal-sessions/${portal.id}`, admin);
    expect(ended.status).toBe(200);
    expect((await b.request("GET", hooks, portal.credential)).status).toBe(401);
    expect(await eventually(() => c.cache.key(hashApiKey(portal.credential)) === undefined)).toBe(true);
    expect((await c.request("GET", hooks, portal.credential)).status).toBe(401);
  });

  it("stops every key of a deleted workspace", async () => {
    const { ws, ingest } = await api.workspace("deleted");
    expect((await post(b, ws, ingest)).status).toBe(202);
    expect((await post(c, ws, ingest)).status).toBe(202);
    expect((await b.request("DELETE", `/v1/workspaces/${ws}`, api.rootKey)).status).toBeLessThan(300);
    expect((await post(b, ws, ingest)).status).toBe(401);
    expect(await eventually(() => c.cache.key(hashApiKey(ingest)) === undefined)).toBe(true);
    expect((await post(c, ws, ingest)).status).toBe(401);
  });

  it("sends a new hook its events at once, in the process that created it and in the other", async () => {
    const { ws, admin, ingest } = await api.workspace("new-hook");
    const first = (await b.request("POST", `/v1/workspaces/${ws}/hooks`, admin, callbackHook())).body.id;
    expect(hooksOf(await post(b, ws, ingest))).toEqual(new Set([first]));
    expect(hooksOf(await post(c, ws, ingest))).toEqual(new Set([first]));
    expect(c.cache.hasCatalog(ws)).toBe(true);

    const second = (await b.request("POST", `/v1/workspaces/${ws}/hooks`, admin, callbackHook())).body.id;
    expect(hooksOf(await post(b, ws, ingest))).toEqual(new Set([first, second]));
    expect(await eventually(() => !c.cache.hasCatalog(ws))).toBe(true);
    expect(hooksOf(await post(c, ws, ingest))).toEqual(new Set([first, second]));
  });

  it("follows edits and deletes of hooks, and changes made by a process without a cache", async () => {
    const { ws, admin, ingest } = await api.workspace("edited-hook");
    const id = (await b.request("POST", `/v1/workspaces/${ws}/hooks`, admin, callbackHook())).body.id;
    expect(hooksOf(await post(b, ws, ingest))).toEqual(new Set([id]));
    expect(hooksOf(await post(c, ws, ingest))).toEqual(new Set([id]));

    // Unsubscribed through the uncached app: both caches hear of it by NOTIFY only.
    const patched = await api.request("PATCH", `/v1/workspaces/${ws}/hooks/${id}`, {
      key: admin,
      body: { events: ["manual_verification"] },
    });
    expect(patched.status).toBe(200);
    for (const app of [b, c]) {
      expect(await eventually(() => !app.cache.hasCatalog(ws))).toBe(true);
      expect(hooksOf(await post(app, ws, ingest))).toEqual(new Set());
      expect(hooksOf(await post(app, ws, ingest, "manual_verification"))).toEqual(new Set([id]));
    }

    // A second URL: one more delivery per event, at once in the editing process.
    const urls = ["https://receiver.example.com/a", "https://receiver.example.com/b"];
    await c.request("PATCH", `/v1/workspaces/${ws}/hooks/${id}`, admin, { urls });
    const targets = (await post(c, ws, ingest, "manual_verification")).body.deliveries.map(
      (d: { target: string }) => d.target,
    );
    expect(targets.sort()).toEqual(urls);

    await c.request("DELETE", `/v1/workspaces/${ws}/hooks/${id}`, admin);
    expect((await post(c, ws, ingest, "manual_verification")).body.deliveries).toEqual([]);
    expect(await eventually(() => !b.cache.hasCatalog(ws))).toBe(true);
    expect((await post(b, ws, ingest, "manual_verification")).body.deliveries).toEqual([]);
  });

  it("accepts a just-created event type at once and checks a just-changed schema", async () => {
    const { ws, admin, ingest } = await api.workspace("catalog");
    expect((await post(b, ws, ingest)).status).toBe(202);
    expect((await post(c, ws, ingest)).status).toBe(202);
    const created = await b.request("POST", `/v1/workspaces/${ws}/event-types`, admin, {
      name: "order.paid",
      schema: { type: "object", required: ["n"], properties: { n: { type: "integer" } } },
    });
    expect(created.status).toBe(201);
    // The other process may still hold the old catalog: a type missing from it is looked up.
    expect((await post(c, ws, ingest, "order.paid")).status).toBe(202);
    expect((await post(b, ws, ingest, "order.paid")).status).toBe(202);

    const patched = await b.request("PATCH", `/v1/workspaces/${ws}/event-types/order.paid`, admin, {
      schema: { type: "object", required: ["m"] },
    });
    expect(patched.status).toBe(200);
    expect((await post(b, ws, ingest, "order.paid")).status).toBe(422);
    expect(await eventually(() => !c.cache.hasCatalog(ws))).toBe(true);
    expect((await post(c, ws, ingest, "order.paid")).status).toBe(422);
  });

  it("stops sending a hook the worker disabled after 5 days of failing (the worker announces it)", async () => {
    const { ws, admin, ingest } = await api.workspace("streak");
    const receiver = await startReceiver();
    const worker = testWorker(api);
    try {
      receiver.reply(() => ({ status: 500 }));
      const hook = await b.request(
        "POST",
        `/v1/workspaces/${ws}/hooks`,
        admin,
        callbackHook({ urls: [`${receiver.url}/down`] }),
      );
      expect(hook.status).toBe(201);
      // Failing for six days already: the next failure ends the streak by disabling the hook.
      await api.db
        .updateTable("hooks")
        .set({ failing_since: new Date(Date.now() - 6 * 24 * 3_600_000) })
        .where("id", "=", hook.body.id)
        .execute();
      expect((await post(b, ws, ingest)).body.deliveries).toHaveLength(1);
      expect(
        await eventually(async () => (await post(b, ws, ingest)).status === 202 && b.cache.hasCatalog(ws)),
      ).toBe(true);
      // b holds the hook itself too (GET hook's cache), which the disable must drop as well.
      expect((await b.request("GET", `/v1/workspaces/${ws}/hooks/${hook.body.id}`, admin)).body.enabled).toBe(
        true,
      );
      await worker.start();
      expect(await eventually(() => !b.cache.hasCatalog(ws), 15_000)).toBe(true);
      expect((await post(b, ws, ingest)).body.deliveries).toEqual([]);
      const disabled = await b.request("GET", `/v1/workspaces/${ws}/hooks/${hook.body.id}`, admin);
      expect(disabled.body.enabled).toBe(false);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it("stops sending a URL the worker disabled on 410 Gone (the worker announces it)", async () => {
    const { ws, admin, ingest } = await api.workspace("gone");
    const receiver = await startReceiver();
    const worker = testWorker(api);
    try {
      receiver.reply((req) => (req.path === "/gone" ? { status: 410 } : { status: 200 }));
      const urls = [`${receiver.url}/gone`, `${receiver.url}/alive`];
      await b.request("POST", `/v1/workspaces/${ws}/hooks`, admin, callbackHook({ urls }));
      expect((await post(b, ws, ingest)).body.deliveries).toHaveLength(2);
      // b's own announcement of the new hook may land after that post cached the catalog and drop
      // it again: post until the catalog stays cached, so only the worker's announcement can drop it.
      expect(
        await eventually(async () => (await post(b, ws, ingest)).status === 202 && b.cache.hasCatalog(ws)),
      ).toBe(true);
      await worker.start();
      // The worker's transaction that records the 410 also announces the workspace.
      expect(await eventually(() => !b.cache.hasCatalog(ws), 15_000)).toBe(true);
      const targets = (await post(b, ws, ingest)).body.deliveries.map((d: { target: string }) => d.target);
      expect(targets).toEqual([`${receiver.url}/alive`]);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it("keeps the caches out of other workspaces' way (tenancy)", async () => {
    const one = await api.workspace("tenant-one");
    const two = await api.workspace("tenant-two");
    expect((await post(b, one.ws, one.ingest)).status).toBe(202);
    expect((await post(b, two.ws, one.ingest)).status).toBe(403);
    expect((await post(b, one.ws, two.ingest)).status).toBe(403);
  });
});
