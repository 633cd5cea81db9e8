// Protects rate limits (issue 17): a hook's `rateLimit` spaces its deliveries at that many per
// second, across every worker on the database; deliveries over the rate wait without an attempt
// (waiting "rate_limit", attempts 0) and are each attempted once; changing or removing the rate
// applies to the waiting backlog at once. Both databases, a real receiver on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../api/src/db/connect";
import type { Hook } from "../../api/src/db/hook";
import type { Candidate } from "../../api/src/dispatch/admission";
import { rateLimitGate } from "../../api/src/dispatch/rate-limit";
import { DispatchWorker, type WorkerOptions } from "../../api/src/dispatch/worker";
import { createMetrics, type Metrics } from "../../api/src/observability/metrics";
import type { ClaimedDelivery } from "../../api/src/queue";
import {
  callbackHook,
  functionHook,
  makeDue,
  startTestApi,
  type TestApi,
  testEgress,
  testWorker,
  type WorkspaceKeys,
} from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

/**
 * How late (ms) an arrival may be against its slot: timers, the network, and an event loop that
 * PGlite (in this process) blocks while it runs a statement.
 */
const SLACK_MS = 250;

describe.each(testDatabases)("rate limits on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker;
  /** When each request reached the receiver (ms), in arrival order. */
  let arrivals: number[] = [];

  const admin = (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key: acme.admin, body });
  const post = (body: unknown) =>
    api.request("POST", `/v1/workspaces/${acme.ws}/events`, { key: acme.ingest, body });

  async function hookWith(overrides: Record<string, unknown>) {
    const res = await admin("POST", "/hooks", callbackHook({ urls: [`${receiver.url}/hook`], ...overrides }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  }

  async function postEvents(count: number) {
    for (let i = 0; i < count; i++)
      expect((await post({ type: "verification", data: { n: i } })).status).toBe(202);
  }

  interface DeliveryView {
    id: string;
    status: string;
    attempts: number;
    waiting: string | null;
  }

  async function deliveriesOf(hookId: string): Promise<DeliveryView[]> {
    const res = await admin("GET", `/deliveries?hookId=${hookId}&limit=100`);
    expect(res.status).toBe(200);
    return res.body.data;
  }

  async function attemptRows(hookId: string) {
    return api.db.selectFrom("attempts").selectAll().where("hook_id", "=", hookId).execute();
  }

  /**
   * The rate held: no arrival before its slot. Slots are 1/rate apart from the first, which is no
   * earlier than `since` (the moment the slots could first be reserved: before the worker started,
   * the events were posted or the rate changed), so the j-th arrival (in arrival order) comes at
   * least j / rate - SLACK_MS after `since`. Sent without a limit, they all arrive within a few
   * milliseconds. Not checked pair by pair, nor from the first arrival: on a busy machine a worker
   * that falls behind (the first send included) sends the slots it missed at once, so arrivals bunch;
   * they are late, never early.
   */
  function expectSpaced(times: number[], perSecond: number, since: number) {
    const sorted = [...times].sort((a, b) => a - b);
    const early = sorted
      .map((at, j) => ({ arrival: j, ms: at - since, slotMs: (j * 1000) / perSecond }))
      .filter(({ ms, slotMs }) => ms < slotMs - SLACK_MS);
    expect(early, `arrivals before their slot at ${perSecond}/s`).toEqual([]);
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    receiver.reply(() => {
      arrivals.push(Date.now());
      return { status: 200, body: "ok" };
    });
    worker = testWorker(api);
    await worker.start();
  });
  afterEach(async () => {
    const hooks = await admin("GET", "/hooks");
    for (const hook of hooks.body.data) await admin("DELETE", `/hooks/${hook.id}`);
    receiver.requests.length = 0;
    arrivals = [];
    receiver.reply(() => {
      arrivals.push(Date.now());
      return { status: 200, body: "ok" };
    });
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await api.close();
  });

  it("spaces a hook's deliveries at its rate; those over it wait without an attempt, then go once", async () => {
    const hook = await hookWith({ rateLimit: 10 });
    // A backlog, found at once: posted while no worker runs (posted one by one to a running worker,
    // a slow database may take longer than the rate to ingest them, and none would have to wait).
    await worker.stop();
    await postEvents(40);
    worker = testWorker(api);
    const since = Date.now();
    await worker.start();
    // Over the rate: pending, waiting for a slot, not attempted, as the API shows it.
    await expect
      .poll(async () => (await deliveriesOf(hook.id)).filter((d) => d.waiting === "rate_limit").length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    for (const d of (await deliveriesOf(hook.id)).filter((d) => d.waiting === "rate_limit"))
      expect(d).toMatchObject({ status: "pending", attempts: 0 });

    const requests = await receiver.waitFor(40, 20_000);
    expectSpaced(arrivals, 10, since);
    // 40 slots at 10/s span 3.9 s; not much longer either (the backlog is not held back needlessly).
    const span = Math.max(...arrivals) - Math.min(...arrivals);
    expect(span).toBeLessThan(3900 + 1500);
    // Each delivery was sent once, and each send is its one attempt.
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(40);
    await expect
      .poll(async () => (await deliveriesOf(hook.id)).filter((d) => d.status === "succeeded").length, {
        timeout: 10_000,
      })
      .toBe(40);
    const deliveries = await deliveriesOf(hook.id);
    expect(deliveries.every((d) => d.attempts === 1 && d.waiting === null)).toBe(true);
    expect(await attemptRows(hook.id)).toHaveLength(40);
    expect(receiver.requests).toHaveLength(40);
  });

  it("limits function hooks too", async () => {
    const res = await admin(
      "POST",
      "/hooks",
      functionHook({ rateLimit: 5, source: "export default (e) => ({ n: e.data.n })" }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const since = Date.now();
    await postEvents(8);
    await expect.poll(async () => (await attemptRows(res.body.id)).length, { timeout: 15_000 }).toBe(8);
    const started = (await attemptRows(res.body.id)).map((a) => a.started_at.getTime());
    expectSpaced(started, 5, since);
    expect((await attemptRows(res.body.id)).every((a) => a.outcome === "success")).toBe(true);
  });

  it("holds the rate across two workers on the same database", async () => {
    // Each with its own metrics, to show both took part (reserved slots: attempted a delivery or
    // sent one back to wait for its slot), and small rounds, so each claims part of the backlog.
    const ours = createMetrics({ db: api.db });
    const theirs = createMetrics({ db: api.db });
    const count = async (counter: Metrics["deliveries"] | Metrics["deliveriesWaited"]) =>
      (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
    const handled = async (m: Metrics) => (await count(m.deliveries)) + (await count(m.deliveriesWaited));
    await worker.stop();
    const hook = await hookWith({ rateLimit: 20 });
    await postEvents(50);
    worker = workerWith(ours);
    const second = workerWith(theirs);
    const since = Date.now();
    await Promise.all([worker.start(), second.start()]);
    try {
      await receiver.waitFor(50, 20_000);
      expectSpaced(arrivals, 20, since);
      await expect.poll(async () => (await attemptRows(hook.id)).length, { timeout: 10_000 }).toBe(50);
      expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(50);
      expect(await handled(ours)).toBeGreaterThan(0);
      expect(await handled(theirs)).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });

  it("a higher rate releases the waiting backlog at once; removing the rate delivers the rest", async () => {
    // One every 2 s: 10 events would take 18 s.
    const hook = await hookWith({ rateLimit: 0.5 });
    await postEvents(10);
    // The first goes at once; the others wait (the next slot is 2 s away, then 4 s, ...).
    await expect
      .poll(async () => (await deliveriesOf(hook.id)).filter((d) => d.waiting === "rate_limit").length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(5);
    const raised = Date.now();
    expect((await admin("PATCH", `/hooks/${hook.id}`, { rateLimit: 50 })).body.rateLimit).toBe(50);
    await receiver.waitFor(10, 5_000).catch(async (e) => {
      console.log(
        JSON.stringify(
          await api.db.selectFrom("deliveries").selectAll().where("hook_id", "=", hook.id).execute(),
          null,
          1,
        ),
        raised,
        Date.now(),
      );
      throw e;
    });
    expect(Math.max(...arrivals) - raised).toBeLessThan(3_000);
    // The nine released ones were sent at the new rate.
    expectSpaced(arrivals.slice(1), 50, raised);

    receiver.requests.length = 0;
    arrivals = [];
    const slow = await hookWith({ rateLimit: 0.5 });
    await postEvents(6);
    // Both hooks subscribe to the event type: the fast one sends its six at once.
    await expect
      .poll(async () => (await deliveriesOf(slow.id)).filter((d) => d.waiting === "rate_limit").length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(3);
    const removed = Date.now();
    expect((await admin("PATCH", `/hooks/${slow.id}`, { rateLimit: null })).body.rateLimit).toBeNull();
    await expect
      .poll(async () => (await deliveriesOf(slow.id)).filter((d) => d.status === "succeeded").length, {
        timeout: 5_000,
      })
      .toBe(6);
    expect(Date.now() - removed).toBeLessThan(4_000);
    expect(await attemptRows(slow.id)).toHaveLength(6);
  });

  it("gives a backlog its slots in one pass instead of claiming it a batch at a time", async () => {
    const hook = await hookWith({ rateLimit: 1 });
    await worker.stop();
    await postEvents(60);
    const metrics = createMetrics({ db: api.db });
    // Claims of at most 16: the first batch goes (2) or is sent back (14), which makes the hook a
    // backlog; claimed a batch at a time, the backlog would be sent back 58 times.
    worker = workerWith(metrics, { concurrency: 8, prefetch: 8 });
    await worker.start();
    await expect
      .poll(async () => (await deliveriesOf(hook.id)).filter((d) => d.waiting === "rate_limit").length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(55);
    const sentBack = (await metrics.deliveriesWaited.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(sentBack).toBeLessThan(25);
    for (const d of await deliveriesOf(hook.id)) if (d.waiting) expect(d.attempts).toBe(0);
    // The usual worker again; stopping this one hands back what waits for its slot in it, so
    // nothing of this hook reaches the next test's receiver.
    await worker.stop();
    worker = testWorker(api);
    await worker.start();
  });

  it("a retry takes a slot of its own: every send counts against the rate", async () => {
    let answered = 0;
    receiver.reply(() => {
      arrivals.push(Date.now());
      return answered++ === 0 ? { status: 500 } : { status: 200 };
    });
    const hook = await hookWith({ rateLimit: 1 });
    const since = Date.now();
    await postEvents(2);
    // The first send failed; its retry is brought forward to now, and must still wait for a slot.
    const retryWaiting = () =>
      api.db
        .selectFrom("deliveries")
        .select("id")
        .where("hook_id", "=", hook.id)
        .where("attempts", "=", 1)
        .where("status", "=", "pending")
        .where("lease_owner", "is", null)
        .execute();
    await expect.poll(async () => (await retryWaiting()).length, { timeout: 10_000 }).toBe(1);
    await makeDue(api.db, (await retryWaiting())[0]?.id ?? "");
    worker.poke();
    await receiver.waitFor(3, 10_000);
    expectSpaced(arrivals, 1, since);
    await expect.poll(async () => (await attemptRows(hook.id)).length).toBe(3);
  });

  it("validates the rate: 0.1 to 10,000 per second, null removes it", async () => {
    for (const rateLimit of [0.05, 20_000, 0, -1, "10"]) {
      const res = await admin("POST", "/hooks", callbackHook({ rateLimit }));
      // The schemas' refusal, as for every field: 400 validation_failed, with the field's path.
      expect(res.status, `${rateLimit} ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("rateLimit");
    }
    const hook = await hookWith({ rateLimit: 0.1 });
    const patched = await admin("PATCH", `/hooks/${hook.id}`, { rateLimit: 10_000 });
    expect(patched.body.rateLimit).toBe(10_000);
    const bad = await admin("PATCH", `/hooks/${hook.id}`, { rateLimit: 20_000 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain("rateLimit");
    const removed = await admin("PATCH", `/hooks/${hook.id}`, { rateLimit: null });
    expect(removed.status).toBe(200);
    expect(removed.body.rateLimit).toBeNull();
    expect((await admin("GET", `/hooks/${hook.id}`)).body.rateLimit).toBeNull();
  });

  function workerWith(metrics: Metrics, options: WorkerOptions = { concurrency: 4 }): DispatchWorker {
    const deps = { db: api.db, box: api.box, runtime: api.runtime, egress: testEgress, listen: api.listen };
    return new DispatchWorker({ ...deps, metrics, log: () => {} }, { pollMs: 200, ...options });
  }
});

describe("the rate gate's cost", () => {
  it("runs no statement when no candidate's hook has a rate", async () => {
    const unused = new Proxy(
      {},
      {
        get() {
          throw new Error("the gate touched the database");
        },
      },
    ) as Db;
    const candidate = {
      delivery: { id: "dlv_1" } as ClaimedDelivery,
      hook: { id: "hk_1", rate_limit: null } as Hook,
    } satisfies Candidate;
    expect((await rateLimitGate(unused, [candidate])).size).toBe(0);
  });
});
