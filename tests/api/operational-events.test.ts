// Protects hookrun's operational events (issue 17): the five `hookrun.*` types are in every
// workspace's catalog and reserved; the worker emits them, through ingest's write path and inside the
// transaction of the change, into the hook's workspace (subscribed hooks get deliveries, filters
// apply) and as a copy into the operations workspace; a delivery of an operational event never causes
// another one. Both databases, real receivers on 127.0.0.1.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../api/src/config";
import { parseHookRow } from "../../api/src/db/hook";
import { recordBatch } from "../../api/src/dispatch/record";
import type { DispatchWorker } from "../../api/src/dispatch/worker";
import { newId } from "../../api/src/ids";
import { compileSchema } from "../../api/src/services/json-schema";
import {
  circuitOpened,
  emitOperational,
  type OperationalSubject,
  urlRecovered,
} from "../../api/src/services/operational-events";
import { OPERATIONAL_EVENT_TYPES, type OperationalData } from "../../api/src/services/operational-types";
import { callbackHook, startTestApi, type TestApi, testWorker, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

interface OperationalBody {
  id: string;
  type: string;
  workspace: string;
  data: OperationalData;
}

describe.each(testDatabases)("operational events on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  /** HOOKRUN_OPERATIONS_WORKSPACE for the worker. */
  let ops: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker;

  const as = (keys: WorkspaceKeys) => (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });
  const post = (keys: WorkspaceKeys, body: unknown) =>
    api.request("POST", `/v1/workspaces/${keys.ws}/events`, { key: keys.ingest, body });
  /** A path of its own per test, so no test sees another's requests. */
  const path = (name: string) => `/${name}-${randomBytes(4).toString("hex")}`;

  async function hook(keys: WorkspaceKeys, overrides: Record<string, unknown>) {
    const res = await as(keys)("POST", "/hooks", callbackHook(overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; name: string };
  }

  /** The operational events a receiver path got, by type, once `count` of them arrived. */
  async function received(at: string, count: number): Promise<OperationalBody[]> {
    const bodies = () =>
      receiver.requests.filter((r) => r.path === at).map((r) => JSON.parse(r.body) as OperationalBody);
    await expect.poll(() => bodies().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
    return bodies().sort((a, b) => (a.type < b.type ? -1 : 1));
  }

  const deliveryRow = (id: string) =>
    api.db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const settled = (id: string) =>
    expect.poll(async () => (await deliveryRow(id)).status, { timeout: 15_000 }).not.toBe("pending");

  const operationalEvents = (ws: string) =>
    api.db
      .selectFrom("events")
      .select(["id", "type", "data"])
      .where("workspace_id", "=", ws)
      .where("type", "like", "hookrun.%")
      .orderBy("type")
      .execute();

  const dataCheck = async () => {
    const catalog = await as(acme)("GET", "/event-types/hookrun.url.disabled");
    const compiled = compileSchema(catalog.body.schema);
    if (!compiled.ok) throw new Error("the operational schema does not compile");
    return compiled.check;
  };

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    ops = await api.workspace("operations");
    receiver = await startReceiver();
    receiver.reply((req) => ({
      status: req.path.startsWith("/gone") ? 410 : req.path.startsWith("/fail") ? 500 : 200,
    }));
    worker = testWorker(api, { operationsWorkspace: ops.ws });
    await worker.start();
  });
  afterEach(async () => {
    // Each test owns its hooks: deleted, and their deliveries settled, before the next one counts.
    for (const keys of [acme, ops]) {
      const hooks = await as(keys)("GET", "/hooks");
      for (const h of hooks.body.data) await as(keys)("DELETE", `/hooks/${h.id}`);
    }
    const pending = async () =>
      Number(
        (
          await api.db
            .selectFrom("deliveries")
            .select((eb) => eb.fn.countAll<string>().as("n"))
            .where("status", "=", "pending")
            .executeTakeFirstOrThrow()
        ).n,
      );
    await expect.poll(pending, { timeout: 15_000 }).toBe(0);
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await api.close();
  });

  it("lists the five types with schemas and examples in a brand-new workspace, read-only", async () => {
    const fresh = await api.workspace("fresh");
    const list = await as(fresh)("GET", "/event-types");
    expect(list.status).toBe(200);
    const names = list.body.data.map((t: { name: string }) => t.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(
      expect.arrayContaining(["verification", "manual_verification", ...OPERATIONAL_EVENT_TYPES]),
    );
    for (const name of OPERATIONAL_EVENT_TYPES) {
      const entry = list.body.data.find((t: { name: string }) => t.name === name);
      expect(entry).toMatchObject({ name, builtIn: true, description: expect.any(String) });
      // The example satisfies the schema the catalog publishes.
      const compiled = compileSchema(entry.schema);
      expect(compiled.ok && compiled.check(entry.example)).toEqual([]);
      expect((await as(fresh)("GET", `/event-types/${name}`)).body).toEqual(entry);
    }
    expect(list.body.data.find((t: { name: string }) => t.name === "verification").builtIn).toBe(false);
    expect((await as(fresh)("GET", "/event-types/hookrun.nothing")).status).toBe(404);
  });

  it("refuses posting, creating, changing and deleting hookrun.* types with 422 and the path", async () => {
    for (const type of ["hookrun.url.disabled", "hookrun.custom", "HookRun.hook.disabled"]) {
      const posted = await post(acme, { type, data: {} });
      expect(posted.status, type).toBe(422);
      expect(posted.body.error.details).toEqual([{ path: "type", message: expect.any(String) }]);
    }
    const created = await as(acme)("POST", "/event-types", { name: "hookrun.mine", description: "x" });
    expect(created.status).toBe(422);
    expect(created.body.error.details).toEqual([{ path: "name", message: expect.any(String) }]);
    const changed = await as(acme)("PATCH", "/event-types/hookrun.url.disabled", { description: "mine now" });
    expect(changed.status).toBe(422);
    expect(changed.body.error.details).toEqual([{ path: "name", message: expect.any(String) }]);
    const deleted = await as(acme)("DELETE", "/event-types/hookrun.url.disabled");
    expect(deleted.status).toBe(422);
    expect(deleted.body.error.details).toEqual([{ path: "name", message: expect.any(String) }]);
    // Subscribing by exact name works like any catalog type; an unknown hookrun name does not.
    expect(
      (await as(acme)("POST", "/hooks", callbackHook({ events: ["hookrun.url.disabled"] }))).status,
    ).toBe(201);
    const unknown = await as(acme)("POST", "/hooks", callbackHook({ events: ["hookrun.nothing"] }));
    expect(unknown.status).toBe(422);
  });

  it("emits hookrun.url.disabled and hookrun.delivery.exhausted on 410, with a copy to the operations workspace", async () => {
    const watch = path("watch");
    const central = path("central");
    const everything = path("everything");
    const gone = path("gone");
    await hook(acme, { events: ["hookrun.*"], urls: [`${receiver.url}${watch}`] });
    // "*" is the workspace's own events: it does not receive hookrun's unasked.
    await hook(acme, { events: ["*"], urls: [`${receiver.url}${everything}`] });
    await hook(ops, {
      events: ["hookrun.url.disabled", "hookrun.delivery.exhausted"],
      urls: [`${receiver.url}${central}`],
    });
    const victim = await hook(acme, {
      name: `victim-${randomBytes(3).toString("hex")}`,
      urls: [`${receiver.url}${gone}`],
    });

    const accepted = await post(acme, { type: "verification", data: { n: 1 } });
    const deliveries: { id: string; hookId: string }[] = accepted.body.deliveries;
    const victimDelivery = deliveries.find((d) => d.hookId === victim.id);
    expect(victimDelivery).toBeDefined();

    const [exhausted, disabled] = await received(watch, 2);
    const about = {
      workspace: acme.ws,
      hook: { id: victim.id, name: victim.name },
      url: `${receiver.url}${gone}`,
      delivery: {
        id: victimDelivery?.id,
        eventId: accepted.body.id,
        eventType: "verification",
        attempts: 1,
        lastOutcome: "gone",
      },
    };
    expect(disabled).toMatchObject({
      type: "hookrun.url.disabled",
      workspace: acme.ws,
      data: { ...about, reason: "the receiver answered 410 Gone" },
    });
    expect(exhausted).toMatchObject({
      type: "hookrun.delivery.exhausted",
      data: { ...about, reason: "the receiver answered 410 Gone" },
    });
    const check = await dataCheck();
    expect(check(disabled?.data)).toEqual([]);
    expect(check(exhausted?.data)).toEqual([]);
    // The watcher's own deliveries are of operational events; the URL is disabled on the victim.
    expect((await as(acme)("GET", `/hooks/${victim.id}`)).body.disabledUrls).toHaveLength(1);

    // The operations workspace got its own copies, naming the origin workspace.
    const copies = await received(central, 2);
    expect(copies.map((c) => [c.type, c.workspace, c.data.workspace, c.data.delivery.id])).toEqual([
      ["hookrun.delivery.exhausted", ops.ws, acme.ws, victimDelivery?.id],
      ["hookrun.url.disabled", ops.ws, acme.ws, victimDelivery?.id],
    ]);
    expect((await operationalEvents(acme.ws)).map((e) => e.type)).toEqual([
      "hookrun.delivery.exhausted",
      "hookrun.url.disabled",
    ]);
    expect(
      receiver.requests.filter((r) => r.path === everything).map((r) => JSON.parse(r.body).type),
    ).toEqual(["verification"]);
  });

  it("emits hookrun.delivery.exhausted when the retries run out, and nothing for a success", async () => {
    const watch = path("watch");
    const fail = path("fail");
    await hook(acme, { events: ["hookrun.delivery.exhausted"], urls: [`${receiver.url}${watch}`] });
    const victim = await hook(acme, { urls: [`${receiver.url}${fail}`], retry: { maxAttempts: 1 } });
    const fine = await hook(acme, { urls: [`${receiver.url}${path("fine")}`] });
    const accepted = await post(acme, { type: "verification", data: { n: 2 } });
    const [exhausted] = await received(watch, 1);
    expect(exhausted?.data).toMatchObject({
      hook: { id: victim.id },
      url: `${receiver.url}${fail}`,
      delivery: { eventId: accepted.body.id, attempts: 1, lastOutcome: "http_error" },
      reason: "its retries are used up (1 of 1 attempts)",
    });
    const fineDelivery = accepted.body.deliveries.find((d: { hookId: string }) => d.hookId === fine.id);
    await settled(fineDelivery.id);
    const events = await operationalEvents(acme.ws);
    expect(events.filter((e) => (e.data as OperationalBody["data"]).hook.id === fine.id)).toEqual([]);
  });

  it("emits hookrun.hook.disabled when a failing streak disables the hook", async () => {
    const watch = path("watch");
    await hook(acme, { events: ["hookrun.hook.disabled"], urls: [`${receiver.url}${watch}`] });
    const victim = await hook(acme, { urls: [`${receiver.url}${path("fail")}`], retry: { maxAttempts: 1 } });
    // Failing for six days already: the next failure disables the hook.
    await api.db
      .updateTable("hooks")
      .set({ failing_since: new Date(Date.now() - 6 * 24 * 3_600_000) })
      .where("id", "=", victim.id)
      .execute();
    const accepted = await post(acme, { type: "verification", data: { n: 3 } });
    const [disabled] = await received(watch, 1);
    expect(disabled).toMatchObject({
      type: "hookrun.hook.disabled",
      data: {
        workspace: acme.ws,
        hook: { id: victim.id, name: victim.name },
        delivery: { eventId: accepted.body.id, attempts: 1, lastOutcome: "http_error" },
        reason: expect.stringContaining("disabled automatically"),
      },
    });
    expect((await as(acme)("GET", `/hooks/${victim.id}`)).body.enabled).toBe(false);
    // Written in the transaction that disabled the hook, once.
    const about = (await operationalEvents(acme.ws)).filter(
      (e) => (e.data as OperationalBody["data"]).hook.id === victim.id,
    );
    expect(about.map((e) => e.type)).toEqual(["hookrun.delivery.exhausted", "hookrun.hook.disabled"]);
  });

  it("emits nothing about a delivery of an operational event", async () => {
    const watch = path("gone-watcher");
    // The watcher fails for good on every operational event it is sent (410: its URL is disabled).
    const watcher = await hook(acme, { events: ["hookrun.*"], urls: [`${receiver.url}${watch}`] });
    const central = path("central");
    await hook(ops, { events: ["hookrun.*"], urls: [`${receiver.url}${central}`] });
    const victim = await hook(acme, { urls: [`${receiver.url}${path("gone")}`] });
    const before = (await operationalEvents(acme.ws)).length;
    const beforeOps = (await operationalEvents(ops.ws)).length;
    await post(acme, { type: "verification", data: { n: 4 } });

    // The victim's two events reach the watcher, which answers 410 to the first.
    await received(watch, 1);
    const watcherDeliveries = await api.db
      .selectFrom("deliveries")
      .select("id")
      .where("hook_id", "=", watcher.id)
      .execute();
    expect(watcherDeliveries).toHaveLength(2);
    for (const d of watcherDeliveries) await settled(d.id);
    // Its URL was disabled (the transition happens) and its deliveries failed, yet no event says so:
    // the events that would have are written in the same transactions as those changes.
    expect((await as(acme)("GET", `/hooks/${watcher.id}`)).body.disabledUrls).toHaveLength(1);
    const events = await operationalEvents(acme.ws);
    expect(events.length - before).toBe(2);
    expect(events.every((e) => (e.data as OperationalBody["data"]).hook.id !== watcher.id)).toBe(true);
    expect(events.filter((e) => (e.data as OperationalBody["data"]).hook.id === victim.id)).toHaveLength(2);
    // The operations workspace received the two copies, and nothing about the watcher.
    expect((await operationalEvents(ops.ws)).length - beforeOps).toBe(2);
  });

  it("applies hooks' filters to operational events", async () => {
    const watch = path("watch");
    const filtered = await hook(acme, {
      events: ["hookrun.*"],
      urls: [`${receiver.url}${watch}`],
      filter: { type: "hookrun.url.disabled", "data.reason": { $contains: "410" } },
    });
    await hook(acme, { urls: [`${receiver.url}${path("gone")}`] });
    await post(acme, { type: "verification", data: { n: 5 } });
    const [only] = await received(watch, 1);
    expect(only?.type).toBe("hookrun.url.disabled");
    // The exhausted event was written in the same transaction; it made no delivery for the hook.
    const deliveries = await api.db
      .selectFrom("deliveries")
      .innerJoin("events", "events.id", "deliveries.event_id")
      .select("events.type")
      .where("deliveries.hook_id", "=", filtered.id)
      .execute();
    expect(deliveries.map((d) => d.type)).toEqual(["hookrun.url.disabled"]);
    const counted = await api.db
      .selectFrom("hook_filter_counts")
      .select("events")
      .where("hook_id", "=", filtered.id)
      .executeTakeFirst();
    expect(Number(counted?.events)).toBe(1);
  });

  it("reports a delivery exhausted only when this worker's write fails it (its lease is still ours)", async () => {
    const url = `${receiver.url}${path("fail")}`;
    const victim = await hook(acme, { urls: [url], retry: { maxAttempts: 1 } });
    const hookRow = await api.db
      .selectFrom("hooks")
      .selectAll()
      .where("id", "=", victim.id)
      .executeTakeFirstOrThrow();
    /** A delivery leased by `owner`, attempted by "this-worker" for the last time and failed. */
    async function failedBy(owner: string) {
      const eventId = newId("evt");
      await api.db
        .insertInto("events")
        .values({ id: eventId, workspace_id: acme.ws, type: "verification", data: "{}" })
        .execute();
      const delivery = await api.db
        .insertInto("deliveries")
        .values({
          id: newId("dlv"),
          workspace_id: acme.ws,
          event_id: eventId,
          hook_id: victim.id,
          target: url,
          status: "pending",
          lease_owner: owner,
          // Not due: the running worker leaves it alone.
          next_attempt_at: new Date(Date.now() + 3_600_000),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const record = {
        kind: "callback" as const,
        outcome: "http_error",
        startedAt: new Date(),
        durationMs: 1,
      };
      const hook = parseHookRow(hookRow);
      await recordBatch(api.db, "this-worker", [
        { kind: "attempted", delivery, hook, eventType: "verification", record },
      ]);
      const events = await operationalEvents(acme.ws);
      return {
        status: (await deliveryRow(delivery.id)).status,
        reported: events.filter((e) => (e.data as OperationalBody["data"]).delivery.id === delivery.id)
          .length,
      };
    }
    // Another worker took it over when the lease ran out: it will attempt it again.
    expect(await failedBy("another-worker")).toEqual({ status: "pending", reported: 0 });
    expect(await failedBy("this-worker")).toEqual({ status: "failed", reported: 1 });
    await api.db.deleteFrom("deliveries").where("hook_id", "=", victim.id).execute();
  });

  describe("emitOperational, for the breaker's transitions", () => {
    const subject = (hook: { id: string; name: string }, ws: string, eventType = "verification") =>
      ({
        hook: { id: hook.id, name: hook.name, workspace_id: ws, kind: "callback" },
        delivery: {
          id: "dlv_breaker",
          eventId: "evt_breaker",
          eventType,
          target: "https://crm.example.com/hooks",
          attempts: 4,
          lastOutcome: "timeout",
        },
      }) satisfies OperationalSubject;

    it("writes circuit_opened and recovered with deliveries to subscribed hooks, and a copy", async () => {
      const watch = path("breaker");
      await hook(acme, { events: ["hookrun.url.*"], urls: [`${receiver.url}${watch}`] });
      const central = path("central");
      await hook(ops, { events: ["hookrun.url.circuit_opened"], urls: [`${receiver.url}${central}`] });
      const victim = await hook(acme, {});
      await api.db
        .transaction()
        .execute((tx) =>
          emitOperational(
            tx,
            [
              circuitOpened(subject(victim, acme.ws), "10 consecutive failures"),
              urlRecovered(subject(victim, acme.ws)),
            ],
            ops.ws,
          ),
        );
      const [opened, recovered] = await received(watch, 2);
      const data = {
        workspace: acme.ws,
        hook: { id: victim.id, name: victim.name },
        url: "https://crm.example.com/hooks",
        delivery: {
          id: "dlv_breaker",
          eventId: "evt_breaker",
          eventType: "verification",
          attempts: 4,
          lastOutcome: "timeout",
        },
      };
      expect(opened).toMatchObject({
        type: "hookrun.url.circuit_opened",
        data: { ...data, reason: "10 consecutive failures" },
      });
      expect(recovered).toMatchObject({
        type: "hookrun.url.recovered",
        data: { ...data, reason: "a probe succeeded" },
      });
      const check = await dataCheck();
      expect(check(opened?.data)).toEqual([]);
      expect(check(recovered?.data)).toEqual([]);
      const [copy] = await received(central, 1);
      expect(copy).toMatchObject({
        type: "hookrun.url.circuit_opened",
        workspace: ops.ws,
        data: { workspace: acme.ws },
      });
    });

    it("places operational events in a FIFO subscriber's line, in order", async () => {
      const watch = path("fifo-watch");
      const ordered = await hook(acme, {
        events: ["hookrun.url.*"],
        urls: [`${receiver.url}${watch}`],
        fifo: true,
      });
      const victim = await hook(acme, {});
      await api.db
        .transaction()
        .execute((tx) =>
          emitOperational(tx, [
            circuitOpened(subject(victim, acme.ws), "10 consecutive failures"),
            urlRecovered(subject(victim, acme.ws)),
          ]),
        );
      const [first, second] = await received(watch, 2);
      expect([first?.type, second?.type]).toEqual(["hookrun.url.circuit_opened", "hookrun.url.recovered"]);
      const rows = await api.db
        .selectFrom("deliveries")
        .select(["line_seq"])
        .where("hook_id", "=", ordered.id)
        .execute();
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.line_seq !== null)).toBe(true);
    });

    it("writes no second copy for the operations workspace's own hooks, and nothing about an operational delivery", async () => {
      const central = path("central");
      const own = await hook(ops, { events: ["hookrun.*"], urls: [`${receiver.url}${central}`] });
      const before = (await operationalEvents(ops.ws)).length;
      await api.db
        .transaction()
        .execute((tx) =>
          emitOperational(
            tx,
            [
              circuitOpened(subject(own, ops.ws), "10 consecutive failures"),
              urlRecovered(subject(own, ops.ws, "hookrun.url.disabled")),
            ],
            ops.ws,
          ),
        );
      const after = await operationalEvents(ops.ws);
      expect(after.length - before).toBe(1);
      const [only] = await received(central, 1);
      expect(only).toMatchObject({ type: "hookrun.url.circuit_opened", data: { workspace: ops.ws } });
    });

    it("names no URL for a function hook", async () => {
      const fn = { id: "hk_fn", name: "fn", workspace_id: acme.ws, kind: "function" as const };
      const opened = circuitOpened({ ...subject(fn, acme.ws), hook: fn }, "x");
      expect(opened.data.url).toBeNull();
    });

    it("writes nothing when the transaction rolls back", async () => {
      const before = (await operationalEvents(acme.ws)).length;
      const victim = await hook(acme, {});
      await expect(
        api.db.transaction().execute(async (tx) => {
          await emitOperational(tx, [circuitOpened(subject(victim, acme.ws), "10 consecutive failures")]);
          throw new Error("the transition failed");
        }),
      ).rejects.toThrow("the transition failed");
      expect((await operationalEvents(acme.ws)).length).toBe(before);
    });
  });

  it("checks HOOKRUN_OPERATIONS_WORKSPACE's form at start", () => {
    expect(loadConfig({ HOOKRUN_OPERATIONS_WORKSPACE: ops.ws }).operationsWorkspace).toBe(ops.ws);
    expect(() => loadConfig({ HOOKRUN_OPERATIONS_WORKSPACE: "acme" })).toThrow(ConfigError);
  });
});
