// Protects the adaptive per-host limit end to end (api/src/dispatch/host-limit.ts), seen from a real
// receiver on 127.0.0.1 counting the requests it holds at once: a host that answers fast and 2xx
// is given more than the old fixed 16 at once, and one that answers 429 and 503 is backed off to a
// trickle. Both databases; the deliveries are real (signed requests, recorded attempts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchWorker } from "../../api/src/dispatch/worker";
import { callbackHook, startTestApi, type TestApi, testWorker, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

/** Four hooks of ten URLs each on one receiver: every event makes 40 deliveries to one host. */
const HOOKS = 4;
const URLS = 10;

describe.each(testDatabases)("adaptive per-host concurrency on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker | null = null;
  /** Requests the receiver holds now, and what it held as each request arrived. */
  let holding = 0;
  let seen: { holding: number; status: number }[] = [];
  /** What the receiver answers, and after how long. */
  let answer = { status: 200, delayMs: 10 };

  const admin = (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key: acme.admin, body });

  /** Posts `events` events (40 deliveries each) while no worker runs, then starts one. */
  async function backlogThenWorker(events: number): Promise<void> {
    // The previous test's worker goes first: it would deliver the backlog at the limit it learned.
    await worker?.stop();
    worker = null;
    for (let i = 0; i < events; i++) {
      const res = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: { i } },
      });
      expect(res.status).toBe(202);
    }
    // The ceiling well above the old fixed 16, and overall room to match.
    worker = testWorker(api, { perHost: 64, concurrency: 256 });
    await worker.start();
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    receiver = await startReceiver({ keep: false });
    receiver.reply(() => {
      holding++;
      const { status, delayMs } = answer;
      seen.push({ holding, status });
      setTimeout(() => holding--, delayMs);
      return { status, delayMs };
    });
    for (let h = 0; h < HOOKS; h++) {
      const urls = Array.from({ length: URLS }, (_, u) => `${receiver.url}/h${h}/u${u}`);
      const res = await admin("POST", "/hooks", callbackHook({ urls, retry: { maxAttempts: 1 } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await receiver.close();
    await api.close();
  });

  it("grows past the old fixed 16 for a host that answers fast and 2xx, starting low", async () => {
    seen = [];
    answer = { status: 200, delayMs: 10 };
    await backlogThenWorker(25);
    await expect.poll(() => seen.length, { timeout: 25_000, interval: 100 }).toBeGreaterThanOrEqual(1000);
    // It starts at the initial limit (8), not at the ceiling, and grows one per round of 2xx:
    // by the 30th arrival at most 8 + 9 have been answered, so the limit is at most 10.
    expect(Math.max(...seen.slice(0, 30).map((s) => s.holding))).toBeLessThanOrEqual(10);
    expect(Math.max(...seen.map((s) => s.holding))).toBeGreaterThan(16);
  });

  it("backs off a host that answers 429 and 503, to a trickle", async () => {
    seen = [];
    // Fast and 2xx until it holds half again its initial 8 at once, then overloaded. The receiver
    // itself switches, on the request that finds 12 held: a poll from the test would let a fast
    // worker grow on and use up the backlog first.
    let overloadedFrom = -1;
    let turn = 0;
    receiver.reply(() => {
      holding++;
      if (overloadedFrom < 0 && holding >= 12) overloadedFrom = seen.length;
      const status = overloadedFrom < 0 ? 200 : turn++ % 2 === 0 ? 429 : 503;
      seen.push({ holding, status });
      setTimeout(() => holding--, 10);
      return { status, delayMs: 10 };
    });
    // Enough backlog that growth, slow on a loaded machine, cannot run out of it.
    await backlogThenWorker(50);
    await expect.poll(() => overloadedFrom, { timeout: 20_000 }).toBeGreaterThanOrEqual(0);
    const grownTo = Math.max(...seen.slice(0, overloadedFrom + 1).map((s) => s.holding));
    await expect.poll(() => seen.length - overloadedFrom, { timeout: 8_000 }).toBeGreaterThanOrEqual(100);
    const overloaded = seen.slice(overloadedFrom);
    expect(overloaded.every((s) => s.status === 429 || s.status === 503)).toBe(true);
    // Halved per window: after the first few dozen answers, at most a couple at once.
    const late = overloaded.slice(60, 100).map((s) => s.holding);
    expect(Math.max(...late)).toBeLessThanOrEqual(2);
    expect(Math.max(...late)).toBeLessThan(grownTo / 4);
  });
});
