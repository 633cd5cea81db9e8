// The worker modes: where the dispatch worker runs for a database's run (see WorkerMode), started
// and stopped the same way whichever it is.
import type { Db, OpenedDatabase } from "../../api/src/db/connect";
import { DispatchWorker } from "../../api/src/dispatch/worker";
import type { BenchApp } from "./app";
import { progress } from "./figures";
import { EGRESS, WORKER_OPTIONS, type WorkerMode } from "./options";
import { spawnWorkerProcess, stopChild } from "./services";
import { capped, TIMEOUT } from "./wait";

export interface RunningWorker {
  /** Where it runs, for the report's setup line. */
  where: string;
  stop(): Promise<void>;
}

export async function startWorker(
  mode: WorkerMode,
  bench: BenchApp,
  db: Db,
  opened: OpenedDatabase,
  url: string | null,
): Promise<RunningWorker> {
  if (mode === "serve") return { where: "one in each API process (`hookrun serve`)", stop: async () => {} };
  if (mode === "process") {
    if (!url) throw new Error("a worker process needs a PostgreSQL database");
    const child = spawnWorkerProcess(url, bench.encryptionKey);
    return { where: "in its own `hookrun worker` process", stop: () => stopChild(child) };
  }
  const worker = new DispatchWorker(
    {
      db,
      box: bench.box,
      runtime: bench.runtime,
      egress: EGRESS,
      listen: opened.listen,
      log: (m, e) => progress(`worker: ${m} ${e === undefined ? "" : String(e)}`),
    },
    WORKER_OPTIONS,
  );
  await worker.start();
  return {
    where: "in the bench's process",
    async stop() {
      if ((await capped(worker.stop(), 30_000)) === TIMEOUT) progress("worker stop: timed out after 30 s");
    },
  };
}
