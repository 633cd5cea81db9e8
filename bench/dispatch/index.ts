// Benchmark of the dispatch path (run: npx tsx bench/dispatch/index.ts). Prints figures, asserts nothing.
// On PostgreSQL (a fresh database beside BENCH_DATABASE_URL, dropped after) and on PGlite (in
// memory): events posted at a target rate, carried out by the dispatch worker to a loopback receiver
// (callbacks) or the function runtime (functions); plus a raw keep-alive fetch loop to the same
// receiver for comparison. Its settings (BENCH_*) are listed in options.ts; by default the events
// are posted in-process to an app in the bench's process and carried out by an in-process
// DispatchWorker, and `npm run bench` runs it as deployed (BENCH_API=1 BENCH_WORKER=process).
// Targets (PostgreSQL): >= 2,000 callback deliveries/s sustained for 60 s, p99 <= 250 ms, no growing
// backlog; >= 1,000 function invocations/s through the queue.
import { openDatabase } from "../../api/src/db/connect";
import { createPostgresDatabase } from "../../tests/support/db";
import { progress } from "./figures";
import { ONLY, PG_URL, RAW_SECONDS } from "./options";
import { rawLoop } from "./raw-loop";
import { startBenchReceiver } from "./receiver";
import { printHeader, printRaw } from "./report";
import { benchDatabase } from "./run-database";
import { startWatchdogs } from "./watchdog";

async function main(): Promise<void> {
  startWatchdogs();
  const { receiver, arrivals } = await startBenchReceiver();
  printHeader();
  try {
    progress(`raw fetch loop: 64 in flight for ${RAW_SECONDS} s`);
    const raw = await rawLoop(receiver.url, RAW_SECONDS);
    printRaw(raw);

    if (ONLY !== "pglite") {
      let created: { url: string; drop(): Promise<void> } | null = null;
      try {
        created = await createPostgresDatabase({
          adminUrl: PG_URL,
          prefix: "hookrun_bench",
          connectTimeoutMs: 3_000,
        });
      } catch (error) {
        console.log(`postgres: skipped (${(error as Error).message || String(error)})`);
      }
      if (created) {
        try {
          const opened = await openDatabase({ url: created.url });
          try {
            await benchDatabase("postgres", opened, created.url, receiver, arrivals, raw);
          } finally {
            await opened.close();
          }
        } catch (error) {
          console.log(`postgres: failed (${(error as Error).stack ?? String(error)})`);
        } finally {
          await created.drop().catch((e) => console.log(`postgres: drop failed (${String(e)})`));
        }
      }
    }
    if (ONLY !== "postgres") {
      const opened = await openDatabase({});
      try {
        await benchDatabase("pglite", opened, null, receiver, arrivals, raw);
      } catch (error) {
        console.log(`pglite: failed (${(error as Error).stack ?? String(error)})`);
      } finally {
        await opened.close();
      }
    }
  } finally {
    await receiver.close();
  }
}

await main();
// Everything is closed; keep-alive sockets of the global fetch dispatcher must not hold the exit.
setTimeout(() => process.exit(0), 2_000).unref();
