// The bench's two watchdogs: a hard bound on the whole run (a wedged phase prints that and exits 0),
// and a thread that kills a main thread whose event loop stops turning (livelock).
import { Worker } from "node:worker_threads";
import { DRAIN_CAP_S, RAW_SECONDS, SCALE_OUT, SCALE_SECONDS, STALL_S, secondsFor } from "./options";

export function startWatchdogs(): void {
  const budgetS =
    RAW_SECONDS +
    (["postgres", "pglite"] as const).reduce((n, k) => n + 2 * (secondsFor(k) + DRAIN_CAP_S + 90), 0) +
    // The scale-out comparison: two callback phases.
    (SCALE_OUT ? 2 * (SCALE_SECONDS + DRAIN_CAP_S + 90) : 0) +
    60;
  setTimeout(() => {
    console.log(
      `watchdog: the bench exceeded ${budgetS} s (a phase wedged); exiting. Figures above are complete.`,
    );
    process.exit(0);
  }, budgetS * 1000).unref();
  // A main thread that stops turning its event loop (a promise-only loop spinning on PGlite's
  // synchronous queries starves timers) cannot run the timer above: a thread watches heartbeats
  // and SIGKILLs (SIGTERM handlers would run on the starved loop too; exit status is then 137).
  const watchdog = new Worker(
    `const { parentPort } = require("node:worker_threads"); const fs = require("node:fs");
     let last = Date.now(); parentPort.on("message", () => { last = Date.now(); });
     setInterval(() => { if (Date.now() - last > ${STALL_S * 1000}) {
       fs.writeSync(1, "watchdog: the main event loop made no turn for ${STALL_S} s (livelock); killing the bench\\n");
       process.kill(process.pid, "SIGKILL"); } }, 1000);`,
    { eval: true },
  );
  watchdog.unref();
  setInterval(() => watchdog.postMessage(0), 1000).unref();
}
