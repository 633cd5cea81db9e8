// The worker modes: where the dispatch worker runs for a database's run (see WorkerMode), started
// and stopped the same way whichever it is.
import type { Db, OpenedDatabase } from "../../api/src/db/connect";
import { DispatchWorker } from "../../api/src/dispatch/worker";
import type { BenchApp } from "./app";
import { progress } from "./figures";
import { EGRESS, type RunSettings } from "./options";
import { spawnWorkerProcess, stopChild } from "./services";
import { capped, TIMEOUT } from "./wait";

export interface RunningWorker {
  /** Where it runs, for the report's setup line. */
  where: string;
  stop(): Promise<void>;
}

export async function startWorker(
  { mode, workers, workerLimits }: RunSettings,
  bench: BenchApp,
  db: Db,
  opened: OpenedDatabase,
  url: string | null,
): Promise<RunningWorker> {
  if (mode === "serve") return { where: "one in each API process (`hookrun serve`)", stop: async () => {} };
  if (mode === "process") {
    if (!url) throw new Error("a worker process needs a PostgreSQL database");
    const children = Array.from({ length: workers }, () =>
      spawnWorkerProcess(url, bench.encryptionKey, workerLimits),
    );
    return {
      where: `in ${workers} \`hookrun worker\` process${workers > 1 ? "es" : ""} of their own`,
      stop: async () => {
        await Promise.all(children.map(stopChild));
      },
    };
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
    workerLimits,
  );
  await worker.start();
  return {
    where: "in the bench's process",
    async stop() {
      if ((await capped(worker.stop(), 30_000)) === TIMEOUT) progress("worker stop: timed out after 30 s");
    },
  };
}
