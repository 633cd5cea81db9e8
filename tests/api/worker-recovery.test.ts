// Protects recovery in seconds: a dead worker's leased deliveries go to a live worker once its
// heartbeat is stale (not when the 2-minute lease runs out), a live worker's leases are left
// alone, the embedded database's sole worker takes back every lease at start, a worker renews the
// leases of what waits in its lanes (so nothing is sent twice because a lease ran out while it
// waited), and the lease outlasts the longest attempt. On both databases.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beat } from "../../api/src/dispatch/heartbeat";
import { DEFAULT_LEASE_MS, DispatchWorker } from "../../api/src/dispatch/worker";
import { claimDueWithEvents } from "../../api/src/queue";
import { MAX_TIMEOUT_MS } from "../../runtime/src/index";
import { callbackHook, startTestApi, type TestApi, testWorker, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

describe.each(testDatabases)("recovery of a dead worker's deliveries on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: callbackHook({ urls: [`${receiver.url}/hook`] }),
    });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await receiver.close();
    await api.close();
  });

  /** Posts `n` events; resolves to their delivery ids. */
  async function post(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: { i } },
      });
      ids.push(res.body.deliveries[0].id as string);
    }
    return ids;
  }

  const statuses = async (ids: string[]) =>
    (await api.db.selectFrom("deliveries").select("status").where("id", "in", ids).execute()).map(
      (r) => r.status,
    );
  const owners = async (ids: string[]) =>
    (await api.db.selectFrom("deliveries").select("lease_owner").where("id", "in", ids).execute()).map(
      (r) => r.lease_owner,
    );

  it("hands a dead worker's leases to a live one within seconds", async () => {
    const ids = await post(4);
    await claimDueWithEvents(api.db, "wrk_dead", 100, DEFAULT_LEASE_MS);
    await api.db
      .insertInto("workers")
      .values({ id: "wrk_dead", heartbeat_at: sql<Date>`now() - interval '1 minute'` })
      .execute();
    const started = performance.now();
    const worker = testWorker(api, { heartbeatMs: 200, staleMs: 1000 });
    await worker.start();
    try {
      await expect.poll(() => statuses(ids), { timeout: 10_000 }).toEqual(ids.map(() => "succeeded"));
      // The lease alone would have held them for two minutes.
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await api.db.selectFrom("workers").select("id").where("id", "=", "wrk_dead").execute()).toEqual(
        [],
      );
    } finally {
      await worker.stop();
    }
  });

  it("leaves a live worker's leases alone", async () => {
    const ids = await post(2);
    await claimDueWithEvents(api.db, "wrk_alive", 100, DEFAULT_LEASE_MS);
    await beat(api.db, "wrk_alive", ids, DEFAULT_LEASE_MS);
    const worker = testWorker(api, { heartbeatMs: 100, staleMs: 60_000 });
    await worker.start();
    try {
      await new Promise((r) => setTimeout(r, 800));
      expect(await owners(ids)).toEqual(["wrk_alive", "wrk_alive"]);
    } finally {
      await worker.stop();
      await api.db.deleteFrom("workers").where("id", "=", "wrk_alive").execute();
      await api.db
        .updateTable("deliveries")
        .set({ next_attempt_at: new Date(), lease_owner: null })
        .where("id", "in", ids)
        .execute();
    }
    const cleanup = testWorker(api);
    await cleanup.start();
    await expect.poll(() => statuses(ids)).toEqual(["succeeded", "succeeded"]);
    await cleanup.stop();
  });

  it("the embedded database's sole worker takes back every lease at start", async () => {
    const ids = await post(3);
    // A process killed a moment ago: its heartbeat is still fresh.
    await claimDueWithEvents(api.db, "wrk_previous", 100, DEFAULT_LEASE_MS);
    await beat(api.db, "wrk_previous", ids, DEFAULT_LEASE_MS);
    const started = performance.now();
    const worker = new DispatchWorker(
      {
        db: api.db,
        box: api.box,
        runtime: api.runtime,
        egress: { allow: ["127.0.0.1/32"] },
        listen: api.listen,
        soleWorker: true,
        log: () => {},
      },
      { pollMs: 200 },
    );
    await worker.start();
    try {
      await expect.poll(() => statuses(ids), { timeout: 10_000 }).toEqual(ids.map(() => "succeeded"));
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await worker.stop();
    }
  });

  it("renews the leases of deliveries waiting in its lanes: none is sent twice", async () => {
    receiver.reply(() => ({ status: 200, delayMs: 400 }));
    const before = receiver.requests.length;
    const ids = await post(6);
    // One at a time to the host, and a lease shorter than the wait: the first claim takes three,
    // the third of which starts 800 ms later. Only renewal keeps its lease meanwhile; the other
    // worker, polling, would take it (and send it a second time) the moment it ran out.
    const slow = testWorker(api, { perHost: 1, leaseMs: 500, heartbeatMs: 100, staleMs: 60_000 });
    const other = testWorker(api, { pollMs: 50, heartbeatMs: 100, staleMs: 60_000 });
    await slow.start();
    try {
      await expect.poll(() => owners(ids).then((o) => o.filter((w) => w === slow.id).length)).toBe(3);
      await other.start();
      await expect.poll(() => statuses(ids), { timeout: 15_000 }).toEqual(ids.map(() => "succeeded"));
      const sent = receiver.requests.slice(before).map((r) => r.headers["webhook-id"]);
      expect(sent.sort()).toEqual([...ids].sort());
    } finally {
      await other.stop();
      await slow.stop();
      receiver.reply(() => ({ status: 200 }));
    }
  });
});

describe("the lease", () => {
  it("outlasts the longest attempt (a 30 s callback or function timeout) with a wide margin", () => {
    const longestAttemptMs = Math.max(MAX_TIMEOUT_MS, 30_000);
    expect(DEFAULT_LEASE_MS).toBeGreaterThanOrEqual(longestAttemptMs * 2 + 60_000);
  });
});
