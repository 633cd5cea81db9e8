// What operational events cost the worker when every delivery fails for good (run:
// TEST_DATABASE_URL=postgres://… npx tsx bench/operational-events.ts). Prints figures, asserts nothing.
// One hook with maxAttempts 1 gets BENCH_OPS_DELIVERIES deliveries (default 2,000) while the worker
// is stopped; the worker then starts and the time until all are settled gives deliveries/s. Three
// runs per database: the receiver answers 200 (the fast path: no transition), 500 with no hook
// subscribed to hookrun.* (each delivery exhausted: its batch's transaction writes an event per
// delivery), and 500 with one subscribed hook (an event and a delivery each).
import { randomBytes } from "node:crypto";
import { callbackHook, startTestApi, type TestApi, testWorker } from "../tests/support/app";
import { testDatabases } from "../tests/support/db";
import { startReceiver } from "../tests/support/receiver";

const DELIVERIES = Number(process.env.BENCH_OPS_DELIVERIES ?? 2_000);

async function run(api: TestApi, status: number, subscribed: boolean, receiverUrl: string): Promise<number> {
  const keys = await api.workspace(`bench-${randomBytes(3).toString("hex")}`);
  const admin = (path: string, body: unknown) =>
    api.request("POST", `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });
  if (subscribed) await admin("/hooks", callbackHook({ events: ["hookrun.*"], urls: [`${receiverUrl}/ok`] }));
  const hook = await admin(
    "/hooks",
    callbackHook({ urls: [`${receiverUrl}/${status === 200 ? "ok" : "fail"}`], retry: { maxAttempts: 1 } }),
  );
  for (let i = 0; i < DELIVERIES; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, DELIVERIES - i) }, (_, j) =>
        api.request("POST", `/v1/workspaces/${keys.ws}/events`, {
          key: keys.ingest,
          body: { type: "verification", data: { i: i + j } },
        }),
      ),
    );
  const worker = testWorker(api, { pollMs: 50 });
  const started = performance.now();
  await worker.start();
  for (;;) {
    const { n } = await api.db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("hook_id", "=", hook.body.id)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    if (Number(n) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return DELIVERIES / seconds;
}

const receiver = await startReceiver({ keep: false });
receiver.reply((req) => ({ status: req.path === "/fail" ? 500 : 200 }));
for (const target of testDatabases) {
  const api = await startTestApi(target);
  const figures = {
    "200, no transition": await run(api, 200, false, receiver.url),
    "500, exhausted, none subscribed": await run(api, 500, false, receiver.url),
    "500, exhausted, one hook subscribed": await run(api, 500, true, receiver.url),
  };
  for (const [name, perSecond] of Object.entries(figures))
    console.log(`${target.name}: ${name}: ${perSecond.toFixed(0)} deliveries/s settled`);
  await api.close();
}
await receiver.close();
