// Benchmark of the dispatch path (run: npx tsx bench/dispatch/index.ts). Prints figures and issue
// 16's target lines, asserts nothing. On PostgreSQL (a fresh database beside BENCH_DATABASE_URL,
// dropped after) and on PGlite (in memory): events posted at a target rate, carried out by the
// dispatch worker to a loopback receiver (callbacks) or the function runtime (functions); plus a
// raw keep-alive fetch loop to the same receiver for comparison, and (BENCH_SCALE_OUT=1) the
// scale-out comparison of one and two worker processes. Its settings (BENCH_*) are listed in
// options.ts; by default the events are posted in-process to an app in the bench's process and
// carried out by an in-process DispatchWorker; `npm run bench` runs it as `npm start` deploys it
// (BENCH_API=1 BENCH_WORKER=serve) at the targets' settings.
// Targets (PostgreSQL, targets.ts): >= 2,000 callback deliveries/s and >= 2,000 function
// invocations/s sustained for 60 s, p99 <= 250 ms, backlog flat; two worker processes >= 1.6x one.
import { openDatabase } from "../../api/src/db/connect";
import { progress } from "./figures";
import { ONLY, RAW_SECONDS, SCALE_OUT, settingsFor } from "./options";
import { withPostgres } from "./postgres";
import { rawLoop } from "./raw-loop";
import { startBenchReceiver } from "./receiver";
import { printHeader, printRaw } from "./report";
import { benchDatabase } from "./run-database";
import { scaleOut } from "./scale-out";
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
      await withPostgres("postgres", (opened, url) =>
        benchDatabase("postgres", opened, url, receiver, arrivals, raw, settingsFor("postgres")),
      );
      if (SCALE_OUT) await scaleOut();
    }
    if (ONLY !== "postgres") {
      const opened = await openDatabase({});
      try {
        await benchDatabase("pglite", opened, null, receiver, arrivals, raw, settingsFor("pglite"));
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
