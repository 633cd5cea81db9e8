// Protects FIFO delivery (issue 17): a FIFO hook's URL receives the hook's events in ingest order,
// one at a time; a failing head holds its URL (retries keep their schedule) until it succeeds or is
// dead, then the line moves on; other URLs and hooks are never held up; a dead delivery retried by
// hand joins the back of the line; switching FIFO off or a head ending outside the worker does not
// leave the line stuck. Both databases, real receivers on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DispatchWorker } from "../../api/src/dispatch/worker";
import {
  callbackHook,
  functionHook,
  makeDue,
  startTestApi,
  type TestApi,
  testWorker,
  type WorkspaceKeys,
} from "../support/app";
import { testDatabases } from "../support/db";
import { type ReceivedRequest, type Receiver, type Reply, startReceiver } from "../support/receiver";

/** The event number a request carries (events are posted with data {n}). */
const numberOf = (req: ReceivedRequest): number => (JSON.parse(req.body) as { data: { n: number } }).data.n;

describe.each(testDatabases)("FIFO delivery on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker;
  /** Requests being answered right now, per path, and the most there ever were at once. */
  let inFlight = new Map<string, number>();
  let mostAtOnce = new Map<string, number>();

  const admin = (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key: acme.admin, body });
  const post = (n: number) =>
    api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
      key: acme.ingest,
      body: { type: "verification", data: { n } },
    });
  const delivery = (id: string) =>
    api.db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const received = (path: string) => receiver.requests.filter((r) => r.path === path).map(numberOf);

  /** Answers as `decide` says, counting how many requests to each path are open at once. */
  function answer(decide: (req: ReceivedRequest) => Reply) {
    receiver.reply((req) => {
      const reply = decide(req);
      const open = (inFlight.get(req.path) ?? 0) + 1;
      inFlight.set(req.path, open);
      mostAtOnce.set(req.path, Math.max(mostAtOnce.get(req.path) ?? 0, open));
      // Scheduled before the receiver's own send (same delay): the count drops just before the
      // response leaves, and the next request of a FIFO line cannot come before the response.
      setTimeout(() => inFlight.set(req.path, (inFlight.get(req.path) ?? 1) - 1), reply.delayMs ?? 0);
      return reply;
    });
  }

  async function fifoHook(paths: string[], overrides: Record<string, unknown> = {}) {
    const urls = paths.map((p) => `${receiver.url}${p}`);
    const res = await admin("POST", "/hooks", callbackHook({ urls, fifo: true, ...overrides }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; fifo: boolean };
  }

  /** Posts events 1..count one after another (so their ingest order is 1..count); their deliveries. */
  async function postInOrder(from: number, to: number): Promise<string[][]> {
    const ids: string[][] = [];
    for (let n = from; n <= to; n++) {
      const res = await post(n);
      expect(res.status).toBe(202);
      ids.push((res.body.deliveries as { id: string }[]).map((d) => d.id));
    }
    return ids;
  }

  /** Waits until the delivery has failed `attempts` times and waits for its scheduled retry. */
  async function retryScheduled(id: string, attempts: number) {
    await expect
      .poll(async () => {
        const row = await delivery(id);
        return row.status === "pending" && row.lease_owner === null && row.attempts === attempts;
      })
      .toBe(true);
  }

  /** Time passes: the delivery's scheduled retry is due now. */
  async function fastForward(id: string) {
    await makeDue(api.db, id);
    worker.poke();
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    worker = testWorker(api, { stalledLinesMs: 300 });
    await worker.start();
  });
  afterEach(async () => {
    const hooks = await admin("GET", "/hooks");
    for (const hook of hooks.body.data) await admin("DELETE", `/hooks/${hook.id}`);
    receiver.reply(() => ({ status: 200, body: "ok" }));
    receiver.requests.length = 0;
    inFlight = new Map();
    mostAtOnce = new Map();
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await api.close();
  });

  it("delivers events posted concurrently in ingest order, never two at once to the URL", async () => {
    answer(() => ({ status: 200, delayMs: 5 }));
    await fifoHook(["/line"]);
    const posted = await Promise.all(Array.from({ length: 30 }, (_, i) => post(i + 1)));
    for (const res of posted) expect(res.status).toBe(202);

    const requests = await receiver.waitFor(30, 20_000);
    // Ingest order: the deliveries' places in the line, as the database handed them out.
    const line = await api.db
      .selectFrom("deliveries")
      .innerJoin("events", "events.id", "deliveries.event_id")
      .select(["events.id as eventId", "deliveries.line_seq"])
      .where("deliveries.target", "=", `${receiver.url}/line`)
      .orderBy("deliveries.line_seq")
      .execute();
    expect(line).toHaveLength(30);
    expect(line.every((d) => d.line_seq !== null)).toBe(true);
    const arrived = requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(arrived).toEqual(line.map((d) => d.eventId));
    expect(mostAtOnce.get("/line")).toBe(1);
  });

  it("holds the line behind a failing head, which keeps its retry schedule; the rest follow in order", async () => {
    let headFailures = 3;
    answer((req) => (numberOf(req) === 1 && headFailures-- > 0 ? { status: 500 } : { status: 200 }));
    await fifoHook(["/line"]);
    const [[head], ...rest] = (await postInOrder(1, 5)) as [[string], ...string[][]];

    for (let failed = 1; failed <= 3; failed++) {
      await retryScheduled(head, failed);
      // The retry is scheduled seconds ahead (the hook's schedule), and the others wait behind it,
      // parked without an attempt.
      const row = await delivery(head);
      expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 1_000);
      for (const [id] of rest) {
        await expect.poll(async () => (await admin("GET", `/deliveries/${id}`)).body.waiting).toBe("fifo");
        expect((await delivery(id as string)).attempts).toBe(0);
      }
      expect(received("/line")).toEqual(Array(failed).fill(1));
      await fastForward(head);
    }

    await receiver.waitFor(8);
    expect(received("/line")).toEqual([1, 1, 1, 1, 2, 3, 4, 5]);
    expect(mostAtOnce.get("/line")).toBe(1);
    for (const [id] of rest) {
      await expect.poll(async () => (await delivery(id as string)).status).toBe("succeeded");
      const row = await delivery(id as string);
      expect([row.attempts, row.waiting]).toEqual([1, null]);
    }
  });

  it("moves on past a dead head; retried by hand, the dead one joins the back of the line", async () => {
    answer((req) => (numberOf(req) === 1 ? { status: 500 } : { status: 200 }));
    await fifoHook(["/line"], { retry: { maxAttempts: 2 } });
    const [[head]] = (await postInOrder(1, 3)) as [[string]];
    await retryScheduled(head, 1);
    await fastForward(head);
    await receiver.waitFor(4);
    expect(received("/line")).toEqual([1, 1, 2, 3]);
    await expect.poll(async () => (await delivery(head)).status).toBe("failed");

    // Event 4 fails once: it heads the line, its retry scheduled. Event 1, retried by hand, now
    // answered with success, goes behind it.
    let fourthFailures = 1;
    answer((req) => (numberOf(req) === 4 && fourthFailures-- > 0 ? { status: 500 } : { status: 200 }));
    const [[fourth]] = (await postInOrder(4, 4)) as [[string]];
    await retryScheduled(fourth, 1);
    expect((await admin("POST", `/deliveries/${head}/retry`)).status).toBe(202);
    await expect.poll(async () => (await delivery(head)).waiting).toBe("fifo");
    expect(received("/line")).toEqual([1, 1, 2, 3, 4]);

    await fastForward(fourth);
    await receiver.waitFor(7);
    expect(received("/line")).toEqual([1, 1, 2, 3, 4, 4, 1]);
    await expect.poll(async () => (await delivery(head)).status).toBe("succeeded");
  });

  it("never holds up another URL of the hook, or another hook, behind a failing head", async () => {
    answer((req) => (req.path === "/stuck" ? { status: 500 } : { status: 200 }));
    await fifoHook(["/stuck", "/free"]);
    const other = await admin("POST", "/hooks", callbackHook({ urls: [`${receiver.url}/other`] }));
    expect(other.status).toBe(201);
    await postInOrder(1, 4);

    await expect.poll(() => received("/free")).toEqual([1, 2, 3, 4]);
    await expect.poll(() => received("/other").length).toBe(4);
    expect(received("/stuck")).toEqual([1]);
  });

  it("releases what the line held back when the hook stops being FIFO", async () => {
    answer((req) => (numberOf(req) === 1 ? { status: 500 } : { status: 200 }));
    const hook = await fifoHook(["/line"]);
    const [[head], ...rest] = (await postInOrder(1, 4)) as [[string], ...string[][]];
    await retryScheduled(head, 1);
    for (const [id] of rest)
      await expect.poll(async () => (await delivery(id as string)).waiting).toBe("fifo");

    const patched = await admin("PATCH", `/hooks/${hook.id}`, { fifo: false });
    expect(patched.status).toBe(200);
    // Delivered now, without waiting for the head's retry (seconds away).
    await expect.poll(() => received("/line").slice(1).sort()).toEqual([2, 3, 4]);
    expect((await delivery(head)).attempts).toBe(1);
  });

  it("moves the line on when its head ends outside the worker", async () => {
    answer((req) => (numberOf(req) === 1 ? { status: 500 } : { status: 200 }));
    await fifoHook(["/line"]);
    const [[head], ...rest] = (await postInOrder(1, 3)) as [[string], ...string[][]];
    await retryScheduled(head, 1);
    for (const [id] of rest)
      await expect.poll(async () => (await delivery(id as string)).waiting).toBe("fifo");

    // Ended by something other than a worker's attempt (nothing releases the next one then).
    await api.db
      .updateTable("deliveries")
      .set({ status: "canceled", finished_at: new Date(), last_outcome: "canceled_by_test" })
      .where("id", "=", head)
      .execute();
    // The worker's periodic check (300 ms here, 5 s by default) finds the line stalled.
    await expect.poll(() => received("/line")).toEqual([1, 2, 3]);
  });

  it("puts a replay's deliveries in the line, in the events' order", async () => {
    answer(() => ({ status: 200 }));
    const hook = await fifoHook(["/line"]);
    const since = new Date().toISOString();
    await postInOrder(1, 5);
    await receiver.waitFor(5);

    // Held by a failing first delivery, the replayed ones queue up behind it, then go in order.
    let firstFailures = 1;
    answer((req) => (numberOf(req) === 1 && firstFailures-- > 0 ? { status: 500 } : { status: 200 }));
    const replay = await admin("POST", `/hooks/${hook.id}/replay`, { since });
    expect(replay.body).toEqual({ events: 5, deliveries: 5 });
    await receiver.waitFor(6);
    const [first] = await api.db
      .selectFrom("deliveries")
      .select("id")
      .where("hook_id", "=", hook.id)
      .where("status", "=", "pending")
      .orderBy("line_seq")
      .limit(1)
      .execute();
    await retryScheduled(first?.id as string, 1);
    await fastForward(first?.id as string);
    await receiver.waitFor(11);
    expect(received("/line")).toEqual([1, 2, 3, 4, 5, 1, 1, 2, 3, 4, 5]);
    expect(mostAtOnce.get("/line")).toBe(1);
  });

  it("refuses fifo on a function hook", async () => {
    // Created: a field the function schema does not have, refused as every such field is (400).
    const created = await admin("POST", "/hooks", functionHook({ fifo: true }));
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe("validation_failed");
    expect(JSON.stringify(created.body)).toContain("fifo");
    // Patched: a field of the other kind (422, naming it).
    const fn = await admin("POST", "/hooks", functionHook());
    expect(fn.status).toBe(201);
    const patched = await admin("PATCH", `/hooks/${fn.body.id}`, { fifo: true });
    expect(patched.status).toBe(422);
    expect(JSON.stringify(patched.body)).toContain("fifo");
  });
});
