// Protects the circuit breaker per callback URL (issue 17), black-box through the API with a real
// receiver on 127.0.0.1, on both databases: a URL opens after `breaker.failures` consecutive failures
// (5xx, 408, 429, timeouts, refused connections; another 4xx ends the streak), its deliveries then
// wait without an attempt, one probe goes after the cool-down (doubled by a failed probe), and the
// first success closes it and sends the waiting deliveries at once. The hook view shows each URL's
// state (a 410'd URL as disabled), two URLs of a hook are independent, and the opens are counted.
// The cool-down is shortened through the worker's options; the schedule's shape is the same. The app
// runs with its hot cache (as `serve` does): a hook view shows a new URL state within the polls' 3 s
// only because the worker announces each change (the cache's TTL is 5 s).
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DispatchWorker } from "../../api/src/dispatch/worker";
import { callbackHook, startTestApi, type TestApi, testWorker, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

/** Long enough for the backlog below to be posted before the first probe, even on a busy machine. */
const COOLDOWN_MS = 2_000;
/** Shorter than the hot cache's TTL: a state seen within it was announced, not expired. */
const SHOWN_WITHIN_MS = 3_000;
/** Timer granularity plus a busy machine (PGlite sharing 2 cores): how late a probe may go. */
const LATE_MS = 5_000;

interface UrlStateView {
  url: string;
  state: "closed" | "open" | "half_open" | "disabled";
  since: string | null;
  nextProbeAt: string | null;
}

describe.each(testDatabases)("circuit breaker on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker;

  const admin = (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key: acme.admin, body });
  const post = async (data: Record<string, unknown> = {}) => {
    const res = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
      key: acme.ingest,
      body: { type: "verification", data },
    });
    expect(res.status).toBe(202);
    return res.body as { id: string; deliveries: { id: string; target: string }[] };
  };
  const urlStates = async (hookId: string) =>
    (await admin("GET", `/hooks/${hookId}`)).body.urlStates as UrlStateView[];
  const stateOf = async (hookId: string, index = 0) => (await urlStates(hookId))[index]?.state;
  const delivery = (id: string) =>
    api.db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const attemptCount = async (hookId: string) =>
    Number(
      (
        await api.db
          .selectFrom("attempts")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .where("hook_id", "=", hookId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** The outcomes of the hook's attempts. */
  const outcomesOf = async (hookId: string) =>
    (await api.db.selectFrom("attempts").select("outcome").where("hook_id", "=", hookId).execute()).map(
      (a) => a.outcome,
    );
  const opensCounted = async () => (await api.metrics.circuitOpens.get()).values[0]?.value ?? 0;

  async function hookWith(overrides: Record<string, unknown>) {
    const res = await admin(
      "POST",
      "/hooks",
      callbackHook({
        urls: [`${receiver.url}/a`],
        retry: { maxAttempts: 1 },
        breaker: { failures: 3 },
        ...overrides,
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  }

  /** Posts one event and waits for its delivery to finish, so attempts are recorded in this order. */
  async function sendOne(): Promise<string> {
    const [d] = (await post()).deliveries;
    if (!d) throw new Error("no delivery");
    await expect.poll(async () => (await delivery(d.id)).status, { timeout: 15_000 }).not.toBe("pending");
    return d.id;
  }

  beforeAll(async () => {
    api = await startTestApi(target, { cached: true });
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    worker = testWorker(api, { breakerCooldownMs: COOLDOWN_MS, breakerCheckMs: 50 });
    await worker.start();
  });
  afterEach(async () => {
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

  it("opens after N consecutive 500s, parks deliveries, probes once per cool-down (doubling), and a success sends the backlog", async () => {
    receiver.reply(() => ({ status: 500 }));
    const hook = await hookWith({});
    expect(await urlStates(hook.id)).toEqual([
      { url: `${receiver.url}/a`, state: "closed", since: null, nextProbeAt: null },
    ]);
    const opensBefore = await opensCounted();

    const failing = await Promise.all([post(), post(), post()]);
    await receiver.waitFor(3);
    const thirdFailureAt = Date.now();
    await stateOf(hook.id); // cached now, most likely still closed
    await expect.poll(() => stateOf(hook.id), { timeout: SHOWN_WITHIN_MS }).toBe("open");
    const openedSeenMs = Date.now() - thirdFailureAt;
    const [opened] = await urlStates(hook.id);
    const since = Date.parse(opened?.since ?? "");
    // From the end of the 3rd failed attempt (its answer) to the open, as the database stamped them.
    const attempts = await api.db.selectFrom("attempts").selectAll().where("hook_id", "=", hook.id).execute();
    const lastFailureEnd = Math.max(...attempts.map((a) => a.started_at.getTime() + a.duration_ms));
    const openedAfterMs = since - lastFailureEnd;
    expect(Date.parse(opened?.nextProbeAt ?? "") - since).toBe(COOLDOWN_MS);
    expect(await opensCounted()).toBe(opensBefore + 1);
    const gauge = await api.metrics.registry.getSingleMetricAsString("hookrun_circuits_open");
    expect(gauge).toMatch(/^hookrun_circuits_open 1$/m);
    for (const e of failing) expect((await delivery(e.deliveries[0]?.id ?? "")).status).toBe("failed");

    // While open, new deliveries wait without an attempt (the first of them becomes the probe, which
    // may already have gone on a slow machine; the others wait for the probe's success in any case).
    const backlog: string[] = [];
    for (let i = 0; i < 20; i++) backlog.push((await post({ i })).deliveries[0]?.id ?? "");
    await expect
      .poll(async () => {
        const rows = await Promise.all(backlog.slice(1).map(delivery));
        return rows.filter((r) => r.waiting === "circuit_open" && r.attempts === 0 && r.lease_owner === null)
          .length;
      })
      .toBe(19);
    const shown = await api.request("GET", `/v1/workspaces/${acme.ws}/deliveries/${backlog[5]}`, {
      key: acme.admin,
    });
    expect(shown.body).toMatchObject({ status: "pending", waiting: "circuit_open", attempts: 0 });
    expect(await attemptCount(hook.id)).toBeLessThanOrEqual(4);

    // After the cool-down, exactly one probe: the earliest waiting delivery. It fails (slowly, so the
    // view is read while it is on its way): open again, with the cool-down doubled.
    receiver.reply(() => ({ status: 500, delayMs: 1_000 }));
    await receiver.waitFor(4, 10_000);
    const firstProbeAt = Date.now();
    expect(firstProbeAt - since).toBeGreaterThanOrEqual(COOLDOWN_MS - 50);
    expect(firstProbeAt - since).toBeLessThan(COOLDOWN_MS + LATE_MS);
    expect(JSON.parse(receiver.requests[3]?.body ?? "{}").data).toEqual({ i: 0 });
    expect(await stateOf(hook.id)).toBe("half_open"); // and cached so
    await expect.poll(async () => (await delivery(backlog[0] ?? "")).status).toBe("failed");
    await expect
      .poll(
        async () => {
          const [now] = await urlStates(hook.id);
          return now?.state === "open" && now.since !== opened?.since;
        },
        { timeout: SHOWN_WITHIN_MS },
      )
      .toBe(true);
    expect(receiver.requests).toHaveLength(4);
    expect(await attemptCount(hook.id)).toBe(4);
    const [reopened] = await urlStates(hook.id);
    const reopenedSince = Date.parse(reopened?.since ?? "");
    expect(Date.parse(reopened?.nextProbeAt ?? "") - reopenedSince).toBe(2 * COOLDOWN_MS);
    expect(await opensCounted()).toBe(opensBefore + 1);

    // The next probe succeeds, no sooner than the doubled cool-down: closed, and the rest arrive.
    receiver.reply(() => ({ status: 200 }));
    await receiver.waitFor(5, 10_000);
    const secondProbeAt = Date.now();
    expect(receiver.requests).toHaveLength(5);
    expect(secondProbeAt - reopenedSince).toBeGreaterThanOrEqual(2 * COOLDOWN_MS - 50);
    expect(secondProbeAt - reopenedSince).toBeLessThan(2 * COOLDOWN_MS + LATE_MS);
    await receiver.waitFor(3 + 20, 10_000);
    const backlogDeliveredMs = Date.now() - secondProbeAt;
    await expect.poll(() => stateOf(hook.id), { timeout: SHOWN_WITHIN_MS }).toBe("closed");
    const [closed] = await urlStates(hook.id);
    expect(closed?.nextProbeAt).toBeNull();
    expect(Date.parse(closed?.since ?? "")).toBeGreaterThanOrEqual(reopenedSince);
    const rows = await Promise.all(backlog.slice(1).map(delivery));
    await expect
      .poll(async () =>
        (await Promise.all(backlog.slice(1).map(delivery))).every((r) => r.status === "succeeded"),
      )
      .toBe(true);
    expect(rows.every((r) => r.waiting === null)).toBe(true);
    expect(await api.metrics.registry.getSingleMetricAsString("hookrun_circuits_open")).toMatch(
      /^hookrun_circuits_open 0$/m,
    );
    console.log(
      `breaker figures (${target.name}): opened ${openedAfterMs} ms after the 3rd failed attempt ended ` +
        `(seen through GET hook ${openedSeenMs} ms after its request arrived); ` +
        `1st probe ${firstProbeAt - since} ms after opening (cool-down ${COOLDOWN_MS}); ` +
        `2nd probe ${secondProbeAt - reopenedSince} ms after reopening (cool-down ${2 * COOLDOWN_MS}); ` +
        `the other 18 waiting deliveries all arrived ${backlogDeliveredMs} ms after the successful probe`,
    );
  });

  it("emits hookrun.url.circuit_opened and hookrun.url.recovered into the hook's workspace", async () => {
    receiver.reply((req) => ({ status: req.path === "/a" ? 500 : 200 }));
    const watcher = await admin(
      "POST",
      "/hooks",
      callbackHook({ name: "circuit-watch", events: ["hookrun.url.*"], urls: [`${receiver.url}/watch`] }),
    );
    expect(watcher.status, JSON.stringify(watcher.body)).toBe(201);
    const hook = await hookWith({ name: "flaky" });
    for (let i = 0; i < 3; i++) await sendOne();
    const watched = () =>
      receiver.requests.filter((r) => r.path === "/watch").map((r) => JSON.parse(r.body ?? "{}"));
    await expect.poll(() => watched().length, { timeout: 10_000 }).toBe(1);
    const [opened] = watched();
    expect(opened).toMatchObject({
      type: "hookrun.url.circuit_opened",
      data: {
        workspace: acme.ws,
        hook: { id: hook.id, name: "flaky" },
        url: `${receiver.url}/a`,
        delivery: { attempts: 1, lastOutcome: "http_error" },
      },
    });
    expect(opened.data.reason).toMatch(/^3 consecutive failures/);

    // The probe after the cool-down succeeds: recovered, about the probe's delivery.
    receiver.reply(() => ({ status: 200 }));
    const probe = (await post()).deliveries[0]?.id;
    await expect.poll(() => watched().length, { timeout: COOLDOWN_MS + LATE_MS }).toBe(2);
    expect(watched()[1]).toMatchObject({
      type: "hookrun.url.recovered",
      data: { hook: { id: hook.id }, url: `${receiver.url}/a`, delivery: { id: probe } },
    });
    // The watcher's own deliveries (of operational events) succeeded and caused nothing more.
    expect(watched()).toHaveLength(2);
  });

  it("keeps a FIFO hook's order through an open circuit: the line waits behind its head", async () => {
    receiver.reply(() => ({ status: 500 }));
    const hook = await hookWith({ name: "ordered", fifo: true });
    for (let i = 0; i < 3; i++) await sendOne();
    await expect.poll(() => stateOf(hook.id), { timeout: SHOWN_WITHIN_MS }).toBe("open");
    receiver.requests.length = 0;
    receiver.reply(() => ({ status: 200 }));
    const posted: string[] = [];
    for (let i = 0; i < 6; i++) posted.push((await post({ i })).deliveries[0]?.id ?? "");
    // Nothing goes while open (the head waits for the circuit, the rest for the head) ...
    await expect
      .poll(async () => (await Promise.all(posted.map(delivery))).map((r) => r.waiting).sort())
      .toEqual(["circuit_open", "fifo", "fifo", "fifo", "fifo", "fifo"]);
    expect(receiver.requests).toHaveLength(0);
    // ... then the probe is the line's head, and the rest follow it in order.
    await receiver.waitFor(6, COOLDOWN_MS + LATE_MS + 10_000);
    expect(receiver.requests.map((r) => JSON.parse(r.body ?? "{}").data.i)).toEqual([0, 1, 2, 3, 4, 5]);
    await expect.poll(() => stateOf(hook.id), { timeout: SHOWN_WITHIN_MS }).toBe("closed");
  });

  it("counts timeouts as failures", async () => {
    // A receiver of its own: no keep-alive connection left by another test can end as a network error.
    const slow = await startReceiver();
    try {
      slow.reply(() => ({ status: 200, delayMs: 2_500 }));
      const hook = await hookWith({ urls: [`${slow.url}/slow`], timeoutMs: 1_000 });
      await Promise.all([post(), post(), post()]);
      await expect.poll(() => stateOf(hook.id), { timeout: 15_000 }).toBe("open");
      const outcomes = await outcomesOf(hook.id);
      expect(outcomes).toEqual(["timeout", "timeout", "timeout"]);
    } finally {
      await slow.close();
    }
  });

  it("counts refused connections (a closed port) as failures", async () => {
    const closedPort = await freePort();
    const hook = await hookWith({ urls: [`http://127.0.0.1:${closedPort}/gone-away`] });
    await Promise.all([post(), post(), post()]);
    await expect.poll(() => stateOf(hook.id), { timeout: 15_000 }).toBe("open");
    const outcomes = await outcomesOf(hook.id);
    expect(outcomes).toEqual(["network_error", "network_error", "network_error"]);
    // The gauge counts this URL alone: the URL the previous test opened belongs to a deleted hook.
    expect(await api.metrics.registry.getSingleMetricAsString("hookrun_circuits_open")).toMatch(
      /^hookrun_circuits_open 1$/m,
    );
    // Another delivery now waits instead of being tried.
    const [parked] = (await post()).deliveries;
    await expect.poll(async () => (await delivery(parked?.id ?? "")).waiting).toBe("circuit_open");
    expect(await attemptCount(hook.id)).toBe(3);
  });

  it("lets a 400 end the streak and counts 408 and 429", async () => {
    const statuses = [500, 500, 400, 408, 429, 503];
    receiver.reply(() => ({ status: statuses[receiver.requests.length - 1] ?? 200 }));
    const hook = await hookWith({});
    // 500, 500, then a 400: still closed (had the 400 counted, 3 in a row would have opened it).
    for (let i = 0; i < 5; i++) await sendOne();
    // The 400 ended the streak: 408 and 429 make two.
    expect(await stateOf(hook.id)).toBe("closed");
    // A 503 makes three (had 408 or 429 not counted, it would make one or two).
    await sendOne();
    await expect.poll(() => stateOf(hook.id), { timeout: SHOWN_WITHIN_MS }).toBe("open");
  });

  it("keeps two URLs of one hook independent", async () => {
    receiver.reply((req) => ({ status: req.path === "/a" ? 503 : 200 }));
    const hook = await hookWith({ urls: [`${receiver.url}/a`, `${receiver.url}/b`] });
    await Promise.all([post(), post(), post()]);
    await expect.poll(() => stateOf(hook.id, 0)).toBe("open");
    expect(await stateOf(hook.id, 1)).toBe("closed");
    const event = await post();
    const toB = event.deliveries.find((d) => d.target.endsWith("/b"));
    const toA = event.deliveries.find((d) => d.target.endsWith("/a"));
    await expect.poll(async () => (await delivery(toB?.id ?? "")).status).toBe("succeeded");
    await expect.poll(async () => (await delivery(toA?.id ?? "")).waiting).toBe("circuit_open");
    // Successes to a URL that never failed leave no breaker row behind.
    const rows = await api.db.selectFrom("url_states").select("url").where("hook_id", "=", hook.id).execute();
    expect(rows.map((r) => r.url)).toEqual([`${receiver.url}/a`]);
  });

  it("shows a URL that answered 410 as disabled, from its disable time", async () => {
    receiver.reply((req) => ({ status: req.path === "/gone" ? 410 : 200 }));
    const hook = await hookWith({ urls: [`${receiver.url}/gone`, `${receiver.url}/a`] });
    await sendOne();
    await expect.poll(() => stateOf(hook.id, 0)).toBe("disabled");
    const view = (await admin("GET", `/hooks/${hook.id}`)).body;
    expect(view.urlStates[0]).toEqual({
      url: `${receiver.url}/gone`,
      state: "disabled",
      since: view.disabledUrls[0].at,
      nextProbeAt: null,
    });
    expect(view.urlStates[1]).toMatchObject({ state: "closed" });
  });
});

/** A loopback port with nothing listening: bound, then closed again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
