// Protects the main path: an event posted to hookrun reaches every subscribed hook through the
// dispatch worker, signed, retried on failure, recorded as attempts, on both databases, with real
// receivers on 127.0.0.1 and real isolates for functions.
import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DispatchWorker, WorkerOptions } from "../../api/src/dispatch/worker";
import { claimDueWithEvents } from "../../api/src/queue";
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
import { type Receiver, startReceiver } from "../support/receiver";

describe.each(testDatabases)("dispatch on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker;

  const admin = (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key: acme.admin, body });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    api.request("POST", `/v1/workspaces/${acme.ws}/events`, { key: acme.ingest, body, headers });
  const delivery = (id: string) =>
    api.db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const attemptsOf = (deliveryId: string) =>
    api.db
      .selectFrom("attempts")
      .selectAll()
      .where("delivery_id", "=", deliveryId)
      .orderBy("attempt")
      .execute();

  async function settled(id: string, timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const row = await delivery(id);
      // Finished, or waiting for a scheduled retry (not due, not leased).
      if (
        row.status !== "pending" ||
        (row.lease_owner === null && row.next_attempt_at.getTime() > Date.now())
      )
        return row;
      if (Date.now() > until) throw new Error(`delivery ${id} still ${row.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Time passes: the next scheduled attempt is due now. */
  async function fastForward(id: string) {
    await makeDue(api.db, id);
    worker.poke();
  }

  /** Waits until no delivery is pending, so a test's leftovers cannot reach the next one's receiver. */
  async function nothingPending() {
    const pending = () =>
      api.db
        .selectFrom("deliveries")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
    await expect.poll(async () => Number((await pending()).n)).toBe(0);
  }

  /** Replaces the running worker, e.g. with other options for one test. */
  async function swapWorker(options: WorkerOptions = {}) {
    await worker.stop();
    worker = testWorker(api, options);
    await worker.start();
  }

  async function hookWith(overrides: Record<string, unknown>) {
    const res = await admin("POST", "/hooks", callbackHook({ urls: [`${receiver.url}/hook`], ...overrides }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    worker = testWorker(api);
    await worker.start();
  });
  afterEach(async () => {
    // Each test owns its hooks: delete them so later events do not reach them.
    const hooks = await admin("GET", "/hooks");
    for (const hook of hooks.body.data) await admin("DELETE", `/hooks/${hook.id}`);
    receiver.reply(() => ({ status: 200, body: "ok" }));
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await api.close();
  });

  it("delivers a POST with the envelope, custom headers and a Standard Webhooks signature", async () => {
    const hook = await hookWith({ headers: { "x-api-key": "key-for-the-receiver" } });
    const secret = (await admin("GET", `/hooks/${hook.id}/signing-secret`)).body.secret;
    const accepted = await post({
      type: "verification",
      data: { sessionId: "s1", score: 0.9 },
      context: { ip: "1.2.3.4" },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.deliveries).toHaveLength(1);

    const [req] = await receiver.waitFor(1);
    expect(req?.method).toBe("POST");
    expect(req?.headers["x-api-key"]).toBe("key-for-the-receiver");
    const body = JSON.parse(req?.body ?? "");
    expect(body).toEqual({
      id: accepted.body.id,
      type: "verification",
      timestamp: expect.any(String),
      workspace: acme.ws,
      data: { sessionId: "s1", score: 0.9 },
      context: { ip: "1.2.3.4" },
    });
    // The receiving side checks the signature with the reference implementation.
    expect(() =>
      new Webhook(secret).verify(req?.body ?? "", req?.headers as Record<string, string>),
    ).not.toThrow();
    expect(req?.headers["webhook-id"]).toBe(accepted.body.deliveries[0].id);

    const done = await settled(accepted.body.deliveries[0].id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, last_outcome: "success" });
    const [attempt] = await attemptsOf(done.id);
    expect(attempt).toMatchObject({
      outcome: "success",
      kind: "callback",
      attempt: 1,
      event_type: "verification",
    });
    const logged = attempt?.request as { headers: Record<string, string> };
    expect(logged.headers["x-api-key"]).toBe("[redacted]");
    expect(logged.headers["webhook-signature"]).toBe("[redacted]");
    expect(attempt?.response).toMatchObject({ status: 200, body: "ok" });
  });

  it("signs with the compatibility profile (HMAC-SHA256 of URL + body, base64) and sends PUT", async () => {
    const url = `${receiver.url}/ushahidi`;
    await hookWith({
      method: "PUT",
      urls: [url],
      signing: {
        scheme: "hmac-sha256",
        header: "X-Ushahidi-Signature",
        payload: "url+body",
        encoding: "base64",
        secret: "shared-secret",
      },
    });
    await post({ type: "verification", data: { id: 7 } });
    const [req] = await receiver.waitFor(1);
    expect(req?.method).toBe("PUT");
    const expected = createHmac("sha256", "shared-secret")
      .update(url + (req?.body ?? ""))
      .digest("base64");
    expect(req?.headers["x-ushahidi-signature"]).toBe(expected);
  });

  it("sends GET with the event as query parameters", async () => {
    await hookWith({ method: "GET", urls: [`${receiver.url}/get?token=abc`] });
    const accepted = await post({
      type: "verification",
      data: { sessionId: "s9", ok: true, nested: { x: 1 } },
    });
    const [req] = await receiver.waitFor(1);
    expect(req?.method).toBe("GET");
    expect(req?.body).toBe("");
    expect(Object.fromEntries(req?.query ?? [])).toEqual({
      token: "abc",
      event_id: accepted.body.id,
      event_type: "verification",
      timestamp: expect.any(String),
      sessionId: "s9",
      ok: "true",
    });
  });

  it("retries a 500 on the schedule and succeeds on the next attempt", async () => {
    let calls = 0;
    receiver.reply(() => (++calls === 1 ? { status: 500, body: "boom" } : { status: 204 }));
    await hookWith({});
    const accepted = await post({ type: "verification", data: {} });
    const id = accepted.body.deliveries[0].id;

    const failed = await settled(id);
    expect(failed).toMatchObject({ status: "pending", attempts: 1, last_outcome: "http_error" });
    // First retry after 5 s ± 20%.
    const delay = failed.next_attempt_at.getTime() - (await attemptsOf(id))[0]!.started_at.getTime();
    expect(delay).toBeGreaterThan(3_500);
    expect(delay).toBeLessThan(6_500);

    await fastForward(id);
    await receiver.waitFor(2);
    const done = await settled(id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await attemptsOf(id)).map((a) => a.outcome)).toEqual(["http_error", "success"]);
  });

  it("honours Retry-After and stops after maxAttempts", async () => {
    receiver.reply(() => ({ status: 503, headers: { "retry-after": "120" } }));
    await hookWith({ retry: { maxAttempts: 2 } });
    const id = (await post({ type: "verification", data: {} })).body.deliveries[0].id;
    const first = await settled(id);
    expect(first.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(100_000);

    await fastForward(id);
    await receiver.waitFor(2);
    const last = await settled(id);
    expect(last).toMatchObject({ status: "failed", attempts: 2, last_outcome: "http_error" });
    expect(last.finished_at).toBeInstanceOf(Date);
  });

  it("times out a slow receiver and records the timeout", async () => {
    receiver.reply(() => ({ status: 200, delayMs: 3_000 }));
    await hookWith({ timeoutMs: 1000 });
    const id = (await post({ type: "verification", data: {} })).body.deliveries[0].id;
    const row = await settled(id);
    expect(row).toMatchObject({ status: "pending", last_outcome: "timeout" });
    expect((await attemptsOf(id))[0]?.duration_ms).toBeGreaterThanOrEqual(900);
  });

  it("disables a URL that answers 410 Gone, and only that URL", async () => {
    receiver.reply((req) => (req.path === "/gone" ? { status: 410 } : { status: 200 }));
    const hook = await hookWith({ urls: [`${receiver.url}/gone`, `${receiver.url}/alive`] });
    const first = await post({ type: "verification", data: {} });
    for (const d of first.body.deliveries) await settled(d.id);
    const states = await Promise.all(first.body.deliveries.map((d: { id: string }) => delivery(d.id)));
    expect(states.map((s) => [s.target.split("/").pop(), s.status, s.last_outcome]).sort()).toEqual([
      ["alive", "succeeded", "success"],
      ["gone", "failed", "gone"],
    ]);
    const read = await admin("GET", `/hooks/${hook.id}`);
    expect(read.body.disabledUrls).toEqual([
      { url: `${receiver.url}/gone`, at: expect.any(String), reason: expect.stringContaining("410") },
    ]);
    const second = await post({ type: "verification", data: {} });
    expect(second.body.deliveries.map((d: { target: string }) => d.target)).toEqual([
      `${receiver.url}/alive`,
    ]);
  });

  it("refuses a receiver on a private address unless the operator allows it", async () => {
    const hook = await hookWith({ urls: ["http://10.255.255.1:9/never"] });
    const id = (await post({ type: "verification", data: {} })).body.deliveries[0].id;
    const row = await settled(id);
    expect(row.last_outcome).toBe("blocked");
    expect(hook.id).toBeTruthy();
  });

  it("runs a function hook whose fetch reaches a receiver, with its secrets, and records console and result", async () => {
    const source = `
      export default async function (event, ctx) {
        const res = await fetch("${receiver.url}/from-function", {
          method: "POST",
          headers: { authorization: "Bearer " + ctx.secrets.CRM_TOKEN },
          body: JSON.stringify(event.data),
        });
        console.log("crm answered", res.status);
        return { forwarded: res.ok, attempt: ctx.attempt, hook: ctx.hook.name };
      }`;
    const fn = await admin(
      "POST",
      "/hooks",
      functionHook({ name: "forwarder", source, secrets: { CRM_TOKEN: "t0ken" } }),
    );
    expect(fn.status).toBe(201);
    const accepted = await post({ type: "verification", data: { sessionId: "f1" } });
    expect(accepted.body.deliveries).toEqual([
      expect.objectContaining({ target: "function", hookId: fn.body.id }),
    ]);

    const [req] = await receiver.waitFor(1);
    expect(req?.headers.authorization).toBe("Bearer t0ken");
    expect(JSON.parse(req?.body ?? "")).toEqual({ sessionId: "f1" });
    const done = await settled(accepted.body.deliveries[0].id);
    expect(done.status).toBe("succeeded");
    const [attempt] = await attemptsOf(done.id);
    expect(attempt).toMatchObject({
      kind: "function",
      outcome: "success",
      result: { forwarded: true, attempt: 1, hook: "forwarder" },
    });
    const logs = attempt?.logs as { lines: { message: string }[] };
    expect(logs.lines[0]?.message).toBe("crm answered 200");
    expect(attempt?.cpu_ms).toEqual(expect.any(Number));
  });

  it("retries a function that throws, and records its error", async () => {
    const fn = await admin(
      "POST",
      "/hooks",
      functionHook({ source: "export default () => { throw new TypeError('nope') }" }),
    );
    const id = (await post({ type: "verification", data: {} })).body.deliveries[0].id;
    const row = await settled(id);
    expect(row).toMatchObject({ status: "pending", last_outcome: "error", attempts: 1 });
    const [attempt] = await attemptsOf(id);
    expect(attempt?.error).toMatchObject({ name: "TypeError", message: "nope" });
    expect(fn.status).toBe(201);
  });

  it("invokes a function synchronously and logs it; tests a callback without logging", async () => {
    const fn = await admin(
      "POST",
      "/hooks",
      functionHook({ source: "export default (e) => ({ type: e.type, data: e.data })" }),
    );
    const invoked = await admin("POST", `/hooks/${fn.body.id}/invoke`, { data: { n: 1 } });
    expect(invoked.status).toBe(200);
    expect(invoked.body).toMatchObject({
      outcome: "success",
      result: { type: "verification", data: { n: 1 } },
    });
    const logged = await api.db
      .selectFrom("attempts")
      .selectAll()
      .where("id", "=", invoked.body.attemptId)
      .executeTakeFirst();
    expect(logged).toMatchObject({ trigger: "invoke", outcome: "success" });

    const draft = await admin("POST", `/hooks/${fn.body.id}/test`, {
      source: "export default () => { return 42 }",
    });
    expect(draft.body).toMatchObject({ outcome: "success", result: 42, attemptId: null });
    const example = await admin("POST", `/hooks/${fn.body.id}/test`, {});
    expect(example.body.result.data).toEqual({ sessionId: "ses_123", status: "approved" });

    const cb = await hookWith({});
    const tested = await admin("POST", `/hooks/${cb.id}/test`, {});
    expect(tested.body).toMatchObject({ outcome: "success", response: { status: 200 }, attemptId: null });
    expect(receiver.requests).toHaveLength(1);
  });

  it("dedupes ingest on Idempotency-Key and on the body id", async () => {
    await hookWith({});
    const first = await post({ type: "verification", data: { a: 1 } }, { "idempotency-key": "order-42" });
    const again = await post({ type: "verification", data: { a: 2 } }, { "idempotency-key": "order-42" });
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.deliveries.map((d: { id: string }) => d.id)).toEqual(
      first.body.deliveries.map((d: { id: string }) => d.id),
    );

    const byId = await post({ type: "verification", data: {}, id: "platform-evt-1" });
    const byIdAgain = await post({ type: "verification", data: {}, id: "platform-evt-1" });
    expect(byIdAgain.body.id).toBe(byId.body.id);
    await receiver.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(2);
  });

  it("writes concurrent posts together: one event per key, and an event the database refuses fails alone", async () => {
    const hook = await hookWith({});
    const keyed = Array.from({ length: 24 }, (_, i) =>
      post({ type: "verification", data: { i } }, { "idempotency-key": `burst-${i % 6}` }),
    );
    const plain = Array.from({ length: 12 }, (_, i) => post({ type: "verification", data: { plain: i } }));
    // PostgreSQL's jsonb cannot hold U+0000: refused by the database, inside a group of good events.
    const nul = post({ type: "verification", data: { note: "a\u0000b" } });
    const nulId = post({ type: "verification", id: "evt\u0000x", data: {} });
    const [keyedRes, plainRes, nulRes, nulIdRes] = await Promise.all([
      Promise.all(keyed),
      Promise.all(plain),
      nul,
      nulId,
    ]);

    for (const res of [nulRes, nulIdRes]) {
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain("U+0000");
    }
    for (const res of [...keyedRes, ...plainRes]) {
      expect(res.status).toBe(202);
      expect(res.body.deliveries).toHaveLength(1);
      expect(res.body.deliveries[0].hookId).toBe(hook.id);
      // A replay shows the delivery as it is now, which the worker may have moved on.
      if (res.headers.get("idempotent-replayed") !== "true")
        expect(res.body.deliveries[0]).toMatchObject({ status: "pending", attempts: 0 });
    }
    // Every post of one key answers with the same event and delivery, whichever won.
    for (let k = 0; k < 6; k++) {
      const same = keyedRes.filter((_, i) => i % 6 === k);
      expect(new Set(same.map((r) => r.body.id)).size).toBe(1);
      expect(new Set(same.map((r) => r.body.deliveries[0].id)).size).toBe(1);
      expect(same.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(3);
    }
    expect(new Set(plainRes.map((r) => r.body.id)).size).toBe(12);
    const stored = await api.db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("hook_id", "=", hook.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(6 + 12);
    await receiver.waitFor(18);
  });

  it("validates ingest: catalog, JSON Schema, size", async () => {
    await admin("POST", "/event-types", {
      name: "order.paid",
      schema: { type: "object", required: ["orderId"] },
    });
    expect((await post({ type: "nope", data: {} })).status).toBe(422);
    const invalid = await post({ type: "order.paid", data: { other: 1 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details[0].message).toContain("orderId");
    expect((await post({ type: "order.paid", data: { orderId: "o1" } })).status).toBe(202);
    expect((await post({ type: "verification", data: "x".repeat(300_000) })).status).toBe(413);
    expect((await post({ type: "verification" })).status).toBe(400);
    const operator = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
      key: acme.operator,
      body: { type: "verification", data: {} },
    });
    expect(operator.status).toBe(403);
  });

  it("gives disabled and deleted hooks nothing, and cancels what was pending", async () => {
    const disabled = await hookWith({ enabled: false });
    expect((await post({ type: "verification", data: {} })).body.deliveries).toEqual([]);
    await admin("PATCH", `/hooks/${disabled.id}`, { enabled: true });
    receiver.reply(() => ({ status: 500 }));
    const pending = (await post({ type: "verification", data: {} })).body.deliveries[0].id;
    await settled(pending);
    await admin("DELETE", `/hooks/${disabled.id}`);
    expect((await delivery(pending)).status).toBe("canceled");
    expect((await post({ type: "verification", data: {} })).body.deliveries).toEqual([]);
  });

  it("picks up deliveries claimed by a worker that died once its lease runs out", async () => {
    await hookWith({});
    await worker.stop();
    try {
      const accepted = await Promise.all([1, 2, 3].map((n) => post({ type: "verification", data: { n } })));
      const ids = accepted.map((a) => a.body.deliveries[0].id as string);
      // A worker claims them and dies: leased for a minute, never finished.
      const claimed = await claimDueWithEvents(api.db, "wrk_dead", 100, 60_000);
      expect(claimed.map((c) => c.delivery.id)).toEqual(expect.arrayContaining(ids));
      worker = testWorker(api);
      await worker.start();
      await new Promise((r) => setTimeout(r, 400));
      for (const id of ids)
        expect(await delivery(id)).toMatchObject({ status: "pending", attempts: 0, lease_owner: "wrk_dead" });
      // Time passes: the lease runs out, and the live worker takes over.
      await api.db
        .updateTable("deliveries")
        .set({ next_attempt_at: new Date() })
        .where("id", "in", ids)
        .execute();
      worker.poke();
      for (const id of ids) expect((await settled(id)).status).toBe("succeeded");
      expect(receiver.requests).toHaveLength(3);
    } finally {
      if (worker.stopped) {
        worker = testWorker(api);
        await worker.start();
      }
    }
  });

  it("bounds concurrency per host without holding up other hosts", async () => {
    const other = await startReceiver();
    let inFlight = 0;
    let most = 0;
    receiver.reply(() => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => inFlight--, 1000);
      return { status: 200, delayMs: 1000 };
    });
    await worker.stop();
    // Started only once both hooks and the slow host's queue exist.
    worker = testWorker(api, { perHost: 2 });
    try {
      await hookWith({});
      const slowIds = await Promise.all(
        [1, 2, 3, 4, 5, 6].map(
          async (n) => (await post({ type: "verification", data: { n } })).body.deliveries[0].id as string,
        ),
      );
      await hookWith({ urls: [`${other.url}/fast`], events: ["manual_verification"] });
      await worker.start();
      const fast = (await post({ type: "manual_verification", data: {} })).body.deliveries[0].id as string;
      // The other host is served at once, while the slow one still has a queue.
      await other.waitFor(1, 900);
      expect(receiver.requests.length).toBeLessThan(6);
      await vi.waitFor(async () => expect((await delivery(fast)).status).toBe("succeeded"));
      await receiver.waitFor(6);
      for (const id of slowIds)
        await vi.waitFor(async () => expect((await delivery(id)).status).toBe("succeeded"), {
          timeout: 5_000,
        });
      expect(most).toBe(2);
    } finally {
      await other.close();
      await swapWorker();
    }
  });

  it("lets hosts take turns at the overall limit, so a deep lane does not keep every slot", async () => {
    const other = await startReceiver();
    receiver.reply(() => ({ status: 200, delayMs: 800 }));
    await worker.stop();
    worker = testWorker(api, { concurrency: 2, perHost: 2, prefetch: 4 });
    try {
      await hookWith({});
      await hookWith({ urls: [`${other.url}/turn`], events: ["manual_verification"] });
      for (const n of [1, 2, 3, 4]) await post({ type: "verification", data: { n } });
      await post({ type: "manual_verification", data: {} });
      // Both hosts' deliveries are claimed together; the slow host's came first.
      await worker.start();
      // The other host gets one of the two slots at once instead of after the slow host's lane.
      await other.waitFor(1, 500);
      expect(receiver.requests.length).toBeLessThanOrEqual(1);
    } finally {
      await swapWorker();
      await nothingPending();
      await other.close();
    }
  });

  it("claims at most three rounds of a host's limit, and hands back the unstarted ones when stopped", async () => {
    await nothingPending();
    receiver.reply(() => ({ status: 200, delayMs: 600 }));
    await worker.stop();
    worker = testWorker(api, { perHost: 2, concurrency: 32, prefetch: 32 });
    try {
      await hookWith({});
      const ids = await Promise.all(
        Array.from(
          { length: 10 },
          async (_, n) => (await post({ type: "verification", data: { n } })).body.deliveries[0].id as string,
        ),
      );
      await worker.start();
      await receiver.waitFor(2);
      // 2 running and 4 waiting to run; the other 4 stay in the queue for any worker to take.
      const leased = () =>
        api.db.selectFrom("deliveries").select("id").where("lease_owner", "=", worker.id).execute();
      await expect.poll(async () => (await leased()).length).toBe(6);
      await worker.stop();
      const rows = await Promise.all(ids.map(delivery));
      expect(rows.filter((r) => r.status === "succeeded")).toHaveLength(2);
      const handedBack = rows.filter((r) => r.status === "pending");
      expect(handedBack).toHaveLength(8);
      for (const row of handedBack) {
        expect(row.lease_owner).toBeNull();
        expect(row.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 300);
      }
    } finally {
      await swapWorker();
    }
  });

  it("wakes on the NOTIFY sent with the event, not by polling", async () => {
    try {
      await swapWorker({ pollMs: 60_000 });
      // Let the first (startup) claim pass, so only a wake-up can start the next one.
      await new Promise((r) => setTimeout(r, 200));
      await hookWith({});
      await post({ type: "verification", data: {} });
      await receiver.waitFor(1, 2_000);
    } finally {
      await swapWorker();
    }
  });

  it("finishes and records in-flight deliveries when stopped gracefully", async () => {
    receiver.reply(() => ({ status: 200, delayMs: 300 }));
    await hookWith({});
    const ids = await Promise.all(
      [1, 2, 3].map(
        async (n) => (await post({ type: "verification", data: { n } })).body.deliveries[0].id as string,
      ),
    );
    await receiver.waitFor(3);
    await worker.stop();
    try {
      // stop() returned: every delivery that was in flight has its outcome written down.
      for (const id of ids)
        expect(await delivery(id)).toMatchObject({ status: "succeeded", lease_owner: null });
    } finally {
      worker = testWorker(api);
      await worker.start();
    }
  });

  it("brings a pending delivery's next try forward to now (retry now)", async () => {
    receiver.reply(() => ({ status: 503 }));
    const hook = await hookWith({});
    const accepted = await post({ type: "verification", data: { now: 1 } });
    const id = accepted.body.deliveries[0].id;
    // Failed once, and waiting for its next try (5 s on the schedule).
    await expect.poll(async () => (await delivery(id)).attempts).toBe(1);
    expect((await delivery(id)).status).toBe("pending");
    receiver.reply(() => ({ status: 200 }));
    const started = Date.now();
    const retried = await admin("POST", `/deliveries/${id}/retry`);
    expect(retried.status).toBe(202);
    expect((await settled(id)).status).toBe("succeeded");
    expect(Date.now() - started).toBeLessThan(4000);
    await admin("DELETE", `/hooks/${hook.id}`);
  });

  it("lists events with deliveries, deliveries by hook, retries a failed delivery and replays a range", async () => {
    receiver.reply(() => ({ status: 410 }));
    const hook = await hookWith({});
    const since = new Date().toISOString();
    const accepted = await post({ type: "verification", data: { r: 1 } });
    const id = accepted.body.deliveries[0].id;
    expect((await settled(id)).status).toBe("failed");

    const event = await admin("GET", `/events/${accepted.body.id}`);
    expect(event.body).toMatchObject({
      id: accepted.body.id,
      data: { r: 1 },
      deliveries: [{ id, status: "failed" }],
    });
    const list = await admin("GET", `/deliveries?hookId=${hook.id}&status=failed`);
    expect(list.body.data.map((d: { id: string }) => d.id)).toEqual([id]);
    const events = await admin("GET", "/events?type=verification&limit=1");
    expect(events.body.data).toHaveLength(1);

    receiver.reply(() => ({ status: 200 }));
    await admin("PATCH", `/hooks/${hook.id}`, { urls: [`${receiver.url}/hook`] });
    const retried = await admin("POST", `/deliveries/${id}/retry`);
    expect(retried.status).toBe(202);
    expect((await settled(id)).status).toBe("succeeded");
    expect((await admin("POST", `/deliveries/${id}/retry`)).status).toBe(202);
    await settled(id);

    const replay = await admin("POST", `/hooks/${hook.id}/replay`, { since });
    expect(replay.body).toEqual({ events: 1, deliveries: 1 });
    const again = await admin("GET", `/deliveries?hookId=${hook.id}`);
    expect(again.body.data).toHaveLength(2);
  });
});
