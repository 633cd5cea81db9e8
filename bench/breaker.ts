// The circuit breaker's timings (run: TEST_DATABASE_URL=postgres://... npx tsx bench/breaker.ts; without
// it, PGlite only). Prints figures, asserts nothing. Per database, in-process (the app with its hot
// cache, one worker with the production probe check of 1 s, a receiver on 127.0.0.1), one callback
// hook with the default threshold (10) and one attempt per delivery:
// 1. 10 events answered 500: from the end of the 10th failed attempt to the open (both stamped by
//    the database: the attempt's start + duration, the URL state's `since`);
// 2. BENCH_BREAKER_BACKLOG events (default 2,000) posted while open: all wait, none is attempted;
// 3. the first probe after the cool-down (BENCH_BREAKER_COOLDOWN_MS, default 3,000, shortened from
//    30 s so the run is short; the schedule's shape is the same), answered 500: how late it went;
// 4. the second probe, after the doubled cool-down, answered 200: how late it went, and from its
//    arrival to the last of the backlog's arrival at the receiver.
import { sql } from "kysely";
import type { Db } from "../api/src/db/connect";
import { callbackHook, startTestApi, testWorker } from "../tests/support/app";
import { testDatabases } from "../tests/support/db";
import { startReceiver } from "../tests/support/receiver";
import { num } from "./dispatch/options";

const BACKLOG = num("BENCH_BREAKER_BACKLOG", 2_000);
const COOLDOWN_MS = num("BENCH_BREAKER_COOLDOWN_MS", 3_000);
const THRESHOLD = 10;

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const lineState = async (db: Db, hookId: string) =>
  (
    await sql<{ state: string; since: Date | null }>`
      select state, since from url_states where hook_id = ${hookId}`.execute(db)
  ).rows[0] ?? { state: "none", since: null };

async function run(target: (typeof testDatabases)[number]): Promise<void> {
  const api = await startTestApi(target, { cached: true });
  const acme = await api.workspace("acme");
  const receiver = await startReceiver();
  const worker = testWorker(api, { breakerCooldownMs: COOLDOWN_MS, breakerCheckMs: 1_000, pollMs: 1_000 });
  await worker.start();
  const post = (i: number) =>
    api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
      key: acme.ingest,
      body: { type: "verification", data: { i } },
    });
  try {
    receiver.reply(() => ({ status: 500 }));
    const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: callbackHook({ urls: [`${receiver.url}/down`], retry: { maxAttempts: 1 } }),
    });
    const hookId = hook.body.id as string;
    await Promise.all(Array.from({ length: THRESHOLD }, (_, i) => post(i)));
    const opened = await until(
      () => lineState(api.db, hookId),
      (s) => s.state === "open",
    );
    const { rows } = await sql<{ end: Date }>`
      select max(started_at + duration_ms * interval '1 millisecond') as end from attempts
      where hook_id = ${hookId}`.execute(api.db);
    const openMs = (opened.since?.getTime() ?? 0) - (rows[0]?.end.getTime() ?? 0);

    const postStart = Date.now();
    for (let i = 0; i < BACKLOG; i += 32)
      await Promise.all(Array.from({ length: Math.min(32, BACKLOG - i) }, (_, j) => post(THRESHOLD + i + j)));
    const postedMs = Date.now() - postStart;
    const parked = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from deliveries
            where hook_id = ${hookId} and waiting = 'circuit_open'`.execute(api.db)
        ).rows[0]?.n,
      );
    const parkedBeforeProbe = await parked();

    await receiver.waitFor(THRESHOLD + 1, 120_000);
    const probe1 = Date.now() - (opened.since?.getTime() ?? 0);
    const reopened = await until(
      () => lineState(api.db, hookId),
      (s) => s.state === "open" && s.since?.getTime() !== opened.since?.getTime(),
    );
    const attemptsWhileOpen = receiver.requests.length - THRESHOLD;
    receiver.reply(() => ({ status: 200 }));
    await receiver.waitFor(THRESHOLD + 2, 120_000);
    const probe2At = Date.now();
    const probe2 = probe2At - (reopened.since?.getTime() ?? 0);
    await receiver.waitFor(THRESHOLD + BACKLOG, 300_000);
    const backlogMs = Date.now() - probe2At;
    console.log(
      `${target.name}: opened ${openMs} ms after the ${THRESHOLD}th failed attempt ended; ` +
        `${BACKLOG} events posted while open in ${postedMs} ms, ${parkedBeforeProbe} waiting before the probe, ` +
        `${attemptsWhileOpen} attempt(s) until the first probe failed; ` +
        `probe 1 at ${probe1} ms (cool-down ${COOLDOWN_MS}), probe 2 at ${probe2} ms after reopening ` +
        `(cool-down ${2 * COOLDOWN_MS}); the other ${BACKLOG - 2} delivered ${backlogMs} ms after probe 2 arrived ` +
        `(${Math.round(((BACKLOG - 2) / backlogMs) * 1000)}/s)`,
    );
  } finally {
    await worker.stop();
    await receiver.close();
    await api.close();
  }
}

for (const target of testDatabases) await run(target);
