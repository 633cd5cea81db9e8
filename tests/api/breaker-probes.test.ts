// Protects the breaker's clock (dispatch/breaker-probes.ts), statement by statement without a
// worker, on both databases: an open URL turns half-open only once its cool-down is over and
// releases its earliest parked delivery as the probe; a lost probe (its delivery finished without an
// attempt) is replaced by the next parked one, a probe still pending is left alone; a delivery
// parked while its URL closed is released; and a round with nothing to do changes nothing.
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { probeCircuits } from "../../api/src/dispatch/breaker-probes";
import { callbackHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

const URL_A = "https://receiver.example.com/a";

describe.each(testDatabases)("breaker probes on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterEach(async () => {
    // Each test owns its hook and URL: later events must not reach it, nor its line count in a round.
    const hooks = await api.request("GET", `/v1/workspaces/${acme.ws}/hooks`, { key: acme.admin });
    for (const hook of hooks.body.data)
      await api.request("DELETE", `/v1/workspaces/${acme.ws}/hooks/${hook.id}`, { key: acme.admin });
    await api.db.deleteFrom("url_states").execute();
  });
  afterAll(() => api.close());

  /** A hook with `n` deliveries to URL_A, all parked behind an open breaker (no worker runs). */
  async function parkedLine(n: number) {
    const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: callbackHook({ urls: [URL_A] }),
    });
    expect(hook.status).toBe(201);
    const hookId = hook.body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const event = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: { i } },
      });
      ids.push(event.body.deliveries[0].id);
    }
    await api.db
      .updateTable("deliveries")
      .set({ waiting: "circuit_open", next_attempt_at: sql<Date>`'infinity'` })
      .where("hook_id", "=", hookId)
      .execute();
    return { hookId, ids };
  }

  const setLine = (hookId: string, state: Record<string, unknown>) =>
    api.db
      .insertInto("url_states")
      .values({ hook_id: hookId, url: URL_A, failures: 10, state: "open", cooldown_ms: 30_000, ...state })
      .onConflict((oc) => oc.columns(["hook_id", "url"]).doUpdateSet(state))
      .execute();
  const line = (hookId: string) =>
    api.db.selectFrom("url_states").selectAll().where("hook_id", "=", hookId).executeTakeFirstOrThrow();
  const released = async (ids: string[]) => {
    const rows = await api.db.selectFrom("deliveries").selectAll().where("id", "in", ids).execute();
    return rows
      .filter((r) => r.waiting === null && r.next_attempt_at.getTime() <= Date.now())
      .map((r) => r.id);
  };

  it("waits for the cool-down, then releases the earliest parked delivery as the probe", async () => {
    const { hookId, ids } = await parkedLine(3);
    await setLine(hookId, { since: new Date(), next_probe_at: new Date(Date.now() + 60_000) });
    await probeCircuits(api.db);
    expect((await line(hookId)).state).toBe("open");
    expect(await released(ids)).toEqual([]);

    await setLine(hookId, { next_probe_at: new Date(Date.now() - 1) });
    await probeCircuits(api.db);
    const probing = await line(hookId);
    expect(probing).toMatchObject({ state: "half_open", next_probe_at: null, probe_delivery_id: ids[0] });
    expect(await released(ids)).toEqual([ids[0]]);

    // A probe still pending (claimed, or waiting for its attempt) is not replaced.
    await probeCircuits(api.db);
    expect((await line(hookId)).probe_delivery_id).toBe(ids[0]);
    expect(await released(ids)).toEqual([ids[0]]);

    // Lost: it finished without an attempt (say, canceled). The next parked one takes over.
    await api.db
      .updateTable("deliveries")
      .set({ status: "canceled" })
      .where("id", "=", ids[0] ?? "")
      .execute();
    await probeCircuits(api.db);
    expect((await line(hookId)).probe_delivery_id).toBe(ids[1]);
    expect(await released(ids.slice(1))).toEqual([ids[1]]);
  });

  it("gives a half-open URL without a probe its parked delivery, and leaves it be when none is parked", async () => {
    const { hookId, ids } = await parkedLine(1);
    await setLine(hookId, { state: "half_open", since: new Date(), probe_delivery_id: null });
    await api.db
      .updateTable("deliveries")
      .set({ waiting: null })
      .where("id", "=", ids[0] ?? "")
      .execute();
    expect(await probeCircuits(api.db)).toEqual({ probing: 0, released: 0 });
    await api.db
      .updateTable("deliveries")
      .set({ waiting: "circuit_open" })
      .where("id", "=", ids[0] ?? "")
      .execute();
    expect(await probeCircuits(api.db)).toEqual({ probing: 1, released: 1 });
    expect((await line(hookId)).probe_delivery_id).toBe(ids[0]);
  });

  it("releases a delivery parked just as its URL closed", async () => {
    const { hookId, ids } = await parkedLine(2);
    await setLine(hookId, { state: "closed", failures: 0, since: new Date(), next_probe_at: null });
    expect(await probeCircuits(api.db)).toMatchObject({ probing: 0, released: 2 });
    expect((await released(ids)).sort()).toEqual([...ids].sort());
  });
});
