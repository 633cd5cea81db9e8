// Protects at-least-once delivery across a crash: a worker process killed with SIGKILL in the middle
// of a batch, while events keep arriving, loses nothing; once its heartbeat is stale another worker
// process completes every delivery, within seconds. Needs a database two processes share: PostgreSQL.
// (On PGlite, dispatch.test.ts covers the same lease rule with a worker that dies in-process.)
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { callbackHook, startTestApi } from "../support/app";
import { testDatabases } from "../support/db";
import { startReceiver } from "../support/receiver";

const postgres = testDatabases.find((t) => t.name === "postgres");
const cli = join(import.meta.dirname, "../../dist/cli.js");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [cli, "worker"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

describe.runIf(postgres)("a worker killed mid-batch", () => {
  it("loses no delivery: every one completes within seconds of a new worker starting", async () => {
    const encryptionKey = randomBytes(32);
    const api = await startTestApi(postgres ?? testDatabases[0]!, { encryptionKey });
    const receiver = await startReceiver();
    // Slow enough that the worker always has requests in flight when it is killed.
    receiver.reply(() => ({ status: 200, delayMs: 150 }));
    try {
      const acme = await api.workspace("acme");
      const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
        key: acme.admin,
        body: callbackHook({ urls: [`${receiver.url}/a`, `${receiver.url}/b`] }),
      });
      expect(hook.status).toBe(201);
      const env = {
        DATABASE_URL: api.url ?? "",
        HOOKRUN_ENCRYPTION_KEY: encryptionKey.toString("base64"),
        HOOKRUN_EGRESS_ALLOW: "127.0.0.1/32",
      };
      const post = (n: number) =>
        api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
          key: acme.ingest,
          body: { type: "verification", data: { n } },
        });

      const first = startWorker(env);
      const exited = new Promise((resolve) => first.once("exit", resolve));
      let posted = 0;
      let exitCode: number | null = null;
      first.once("exit", (code) => {
        exitCode = code;
      });
      while (receiver.requests.length < 10) {
        if (exitCode !== null) throw new Error(`the worker exited early with ${exitCode}`);
        await post(posted++);
        await new Promise((r) => setTimeout(r, 10));
      }
      first.kill("SIGKILL");
      await exited;
      // Events keep arriving while no worker runs.
      for (let i = 0; i < 40; i++) await post(posted++);

      // The dead worker still holds leases (two minutes long); a new worker process takes them over
      // once the dead one's heartbeat is stale (6 s), not when they run out.
      const leased = await api.db
        .selectFrom("deliveries")
        .select("id")
        .where("status", "=", "pending")
        .where("lease_owner", "is not", null)
        .execute();
      expect(leased.length).toBeGreaterThan(0);
      const restarted = Date.now();
      startWorker(env);

      const total = posted * 2;
      const deadline = Date.now() + 60_000;
      let counts: { status: string; n: number }[] = [];
      for (;;) {
        counts = await api.db
          .selectFrom("deliveries")
          .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
          .groupBy("status")
          .execute();
        if (counts.some((c) => c.status === "succeeded" && c.n === total) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(counts).toEqual([{ status: "succeeded", n: total }]);
      // Seconds, not the lease's two minutes (a generous bound for a busy machine).
      expect(Date.now() - restarted).toBeLessThan(20_000);
      const deliveries = await api.db.selectFrom("deliveries").select("id").execute();
      const received = new Set(receiver.requests.map((r) => r.headers["webhook-id"]));
      for (const d of deliveries) expect(received.has(d.id)).toBe(true);
    } finally {
      for (const child of children) child.kill("SIGKILL");
      await receiver.close();
      await api.close();
    }
  }, 120_000);
});
