// Benchmark of the embedded database under sustained ingest (issue 16: delivery keeps >= 0.9x the
// ingest rate at 500 events/s). Prints figures, asserts nothing. Run: npx tsx bench/embedded/index.ts
// (builds dist/ first). One `node dist/cli.js serve` as `npm start` runs it (PGlite on a temp data
// dir, default settings; only the egress allow-list lets the loopback receiver through), a callback
// phase to bench/dispatch's receiver and a function phase, each fed over HTTP by bench/dispatch's
// posters process. Settings: options.ts; BENCH_HTTP_PROF=dir writes the service's V8 CPU profile.
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { openDatabase } from "../../api/src/db/connect";
import buildDist from "../../tests/support/build";
import { progress } from "../dispatch/figures";
import { functionCompletions } from "../dispatch/latency";
import { startBenchReceiver } from "../dispatch/receiver";
import { startService } from "../http/service";
import { EGRESS_ALLOW, PHASE, RATE, SECONDS } from "./options";
import { type PhaseKind, type PhaseRun, runPhase } from "./phase";
import { printHeader, printPhase } from "./report";

async function main(): Promise<void> {
  buildDist();
  const { receiver, arrivals } = await startBenchReceiver();
  printHeader(SECONDS);
  const service = await startService(null, { env: { HOOKRUN_EGRESS_ALLOW: EGRESS_ALLOW }, keepData: true });
  const runs: { run: PhaseRun; completed?: Float64Array }[] = [];
  try {
    for (const what of ["callback", "function"] as PhaseKind[]) {
      if (PHASE && PHASE !== what) continue;
      if (what === "callback") arrivals.reset(Math.ceil(RATE * SECONDS) + 16);
      const run = await runPhase(service, what, SECONDS, receiver.url);
      runs.push({ run, ...(what === "callback" ? { completed: arrivals.times.slice() } : {}) });
    }
  } finally {
    await service.stop();
    await receiver.close();
  }
  // The function phase's completion times are in the data dir, readable once the service let go of it.
  const opened = await openDatabase({ dataDir: service.dataDir });
  try {
    for (const r of runs)
      r.completed ??= await functionCompletions(opened.db, r.run.hookId, r.run.posted.started.length);
  } finally {
    await opened.close();
    rmSync(dirname(service.dataDir), { recursive: true, force: true });
  }
  progress("done");
  for (const r of runs) printPhase(r.run, r.completed ?? new Float64Array(0));
}

await main();
// Keep-alive sockets of the global fetch dispatcher must not hold the exit.
setTimeout(() => process.exit(0), 2_000).unref();
