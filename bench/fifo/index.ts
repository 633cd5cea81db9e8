// What a FIFO URL reaches (issue 17; run: npm run bench:fifo). On PGlite (in memory) and on
// PostgreSQL (a fresh database beside BENCH_DATABASE_URL, dropped after), in-process as `serve` runs
// it: a backlog of BENCH_FIFO_EVENTS events (default 1,000) for one hook with one URL on a loopback
// receiver that answers at once, then the worker started and timed until the receiver has them all.
// Once with the hook FIFO, once (same run, another workspace) the same hook without FIFO. Figures:
// deliveries/s of each, and whether the FIFO URL got each event once, in ingest order (the
// deliveries' line_seq). One at a time is tests/api/fifo.test.ts's to check. Prints figures, asserts
// nothing.
import { type OpenedDatabase, openDatabase } from "../../api/src/db/connect";
import { migrateToLatest } from "../../api/src/db/migrate";
import { DispatchWorker } from "../../api/src/dispatch/worker";
import { startReceiver } from "../../tests/support/receiver";
import { startBenchApp } from "../dispatch/app";
import { progress } from "../dispatch/figures";
import { EGRESS, num } from "../dispatch/options";
import { withPostgres } from "../dispatch/postgres";

const EVENTS = num("BENCH_FIFO_EVENTS", 1_000);
const POSTERS = 16;
const CAP_MS = 120_000;

interface Figures {
  perSecond: number;
  inOrder: boolean | null;
}

async function phase(opened: OpenedDatabase, fifo: boolean): Promise<Figures> {
  const bench = await startBenchApp(opened.db, opened);
  const receiver = await startReceiver({ keep: false, keepAliveMs: 30_000 });
  const arrived: string[] = [];
  receiver.reply((req) => {
    arrived.push((JSON.parse(req.body) as { id: string }).id);
    return { status: 204 };
  });
  try {
    const ws = await bench.workspace(`fifo-bench-${fifo ? "fifo" : "plain"}`);
    await bench.createHook(ws.ws, ws.admin, {
      kind: "callback",
      name: "bench",
      events: ["verification"],
      urls: [`${receiver.url}/hook`],
      fifo,
    });
    progress(`${fifo ? "FIFO" : "not FIFO"}: posting ${EVENTS} events`);
    let next = 0;
    await Promise.all(
      Array.from({ length: POSTERS }, async () => {
        while (next < EVENTS) {
          const seq = next++;
          const res = await bench.app.request(`/v1/workspaces/${ws.ws}/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${ws.ingest}`, "content-type": "application/json" },
            body: JSON.stringify({ type: "verification", data: { seq } }),
          });
          if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        }
      }),
    );
    const worker = new DispatchWorker(
      {
        db: opened.db,
        box: bench.box,
        runtime: bench.runtime,
        egress: EGRESS,
        listen: opened.listen,
        log: (m, e) => progress(`worker: ${m} ${e === undefined ? "" : String(e)}`),
      },
      {},
    );
    const started = performance.now();
    await worker.start();
    while (arrived.length < EVENTS && performance.now() - started < CAP_MS)
      await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    const inOrder = fifo ? await ingestOrder(opened, ws.ws).then((ids) => sameOrder(ids, arrived)) : null;
    return { perSecond: arrived.length / seconds, inOrder };
  } finally {
    await receiver.close();
    await bench.close();
  }
}

/** The workspace's events in the order of their deliveries' places in the line. */
async function ingestOrder(opened: OpenedDatabase, workspaceId: string): Promise<string[]> {
  const rows = await opened.db
    .selectFrom("deliveries")
    .select(["event_id"])
    .where("workspace_id", "=", workspaceId)
    .orderBy("line_seq")
    .execute();
  return rows.map((r) => r.event_id);
}

/** Each event once, in that order (a repeat would be a retry: there are none with a 204 receiver). */
const sameOrder = (expected: string[], arrived: string[]) =>
  expected.length === arrived.length && expected.every((id, i) => arrived[i] === id);

async function run(label: string, opened: OpenedDatabase): Promise<void> {
  await migrateToLatest(opened.db);
  const fifo = await phase(opened, true);
  const plain = await phase(opened, false);
  console.log(
    `issue 17, ${label}: FIFO URL ${fifo.perSecond.toFixed(0)} deliveries/s ` +
      `(ingest order ${fifo.inOrder ? "kept" : "NOT kept"}); ` +
      `the same hook without FIFO ${plain.perSecond.toFixed(0)} deliveries/s; ${EVENTS} events each`,
  );
}

const embedded = await openDatabase({});
await run("pglite", embedded).finally(() => embedded.close());
await withPostgres("issue 17, postgres", (opened) => run("postgres", opened));
