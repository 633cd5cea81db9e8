// What operational events cost the worker when every delivery fails for good (run:
// TEST_DATABASE_URL=postgres://… npx tsx bench/operational-events.ts). Prints figures, asserts nothing.
// One hook gets BENCH_OPS_DELIVERIES deliveries (default 1,000) while the worker is stopped; the
// worker then starts, and the time until each has had its first attempt written gives deliveries/s.
// The receiver always answers 500. Per database, after a warm-up run: maxAttempts 2 (the attempt
// is retried later: no transition, the fast path), maxAttempts 1 with no hook subscribed to
// hookrun.* (each delivery exhausted: its batch's transaction writes an event per delivery), and
// maxAttempts 1 with one subscribed hook (an event and a delivery each, which the worker also sends).
import { randomBytes } from "node:crypto";
import { callbackHook, startTestApi, type TestApi, testWorker } from "../tests/support/app";
import { testDatabases } from "../tests/support/db";
import { startReceiver } from "../tests/support/receiver";

const DELIVERIES = Number(process.env.BENCH_OPS_DELIVERIES ?? 1_000);

async function run(
  api: TestApi,
  maxAttempts: number,
  subscribed: boolean,
  receiverUrl: string,
  deliveries = DELIVERIES,
): Promise<number> {
  const keys = await api.workspace(`bench-${randomBytes(3).toString("hex")}`);
  const admin = (path: string, body: unknown) =>
    api.request("POST", `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });
  if (subscribed) await admin("/hooks", callbackHook({ events: ["hookrun.*"], urls: [`${receiverUrl}/ok`] }));
  const hook = await admin("/hooks", callbackHook({ urls: [`${receiverUrl}/fail`], retry: { maxAttempts } }));
  for (let i = 0; i < deliveries; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, deliveries - i) }, (_, j) =>
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
      .where((eb) => eb.or([eb("attempts", "=", 0), eb("lease_owner", "is not", null)]))
      .executeTakeFirstOrThrow();
    if (Number(n) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  // Its retries would compete with the next run: ended here.
  await api.db
    .updateTable("deliveries")
    .set({ status: "canceled", finished_at: new Date() })
    .where("hook_id", "=", hook.body.id)
    .where("status", "=", "pending")
    .execute();
  return deliveries / seconds;
}

const receiver = await startReceiver({ keep: false });
receiver.reply((req) => ({ status: req.path === "/fail" ? 500 : 200 }));
for (const target of testDatabases) {
  const api = await startTestApi(target);
  await run(api, 2, false, receiver.url, DELIVERIES / 3);
  const figures = {
    "retried later (fast path)": await run(api, 2, false, receiver.url),
    "exhausted, none subscribed": await run(api, 1, false, receiver.url),
    "exhausted, one hook subscribed": await run(api, 1, true, receiver.url),
  };
  for (const [name, perSecond] of Object.entries(figures))
    console.log(`${target.name}: ${name}: ${perSecond.toFixed(0)} first attempts/s written`);
  await api.close();
}
await receiver.close();
