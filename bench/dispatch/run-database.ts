// One database's run: the bench's app and worker on it (and the service processes the options ask
// for), the callback phase and the function phase, then their figures.
import type { ChildProcess } from "node:child_process";
import type { OpenedDatabase } from "../../api/src/db/connect";
import { migrateToLatest } from "../../api/src/db/migrate";
import type { Receiver } from "../../tests/support/receiver";
import { startBenchApp } from "./app";
import { progress } from "./figures";
import { apiProcessesFor, COUNT_QUERIES, type DatabaseKind, type RunSettings } from "./options";
import { type PhaseEnv, type PhaseResult, runPhase } from "./phase";
import { QueryCounter } from "./query-counter";
import type { RawResult } from "./raw-loop";
import type { Arrivals } from "./receiver";
import { printPhase, printSetup } from "./report";
import { spawnApiProcess, stopChild } from "./services";
import { startWorker } from "./worker";

/**
 * `url` is the database's connection string, for the service processes (PostgreSQL only). Prints
 * the phases' figures and returns them.
 */
export async function benchDatabase(
  kind: DatabaseKind,
  opened: OpenedDatabase,
  url: string | null,
  receiver: Receiver,
  arrivals: Arrivals,
  raw: RawResult | null,
  settings: RunSettings,
): Promise<PhaseResult[]> {
  const { seconds, mode } = settings;
  const counter = COUNT_QUERIES ? new QueryCounter() : null;
  const db = counter ? opened.db.withPlugin(counter) : opened.db;
  progress(`${kind}: migrating`);
  await migrateToLatest(opened.db);
  progress(`${kind}: starting the runtime, the app and the worker`);
  const bench = await startBenchApp(db, opened);
  const apiProcesses: ChildProcess[] = [];
  let stopWorker = async () => {};
  try {
    const apiUrls: string[] = [];
    const apiCount = apiProcessesFor(kind);
    if (apiCount > 0 && url) {
      progress(`${kind}: starting ${apiCount} API process(es)`);
      for (let i = 0; i < apiCount; i++) {
        const started = await spawnApiProcess(url, bench.encryptionKey, bench.rootKey, mode === "serve");
        apiProcesses.push(started.child);
        apiUrls.push(started.url);
      }
    }
    const worker = await startWorker(settings, bench, db, opened, url);
    stopWorker = worker.stop;
    const env: PhaseEnv = {
      kind,
      rawDb: opened.db,
      counter,
      bench,
      arrivals,
      receiverUrl: receiver.url,
      apiUrls,
    };

    const results: PhaseResult[] = [];
    let connectionsBefore = 0;
    for (const what of settings.phases) {
      if (what === "callback") connectionsBefore = receiver.connections;
      results.push(await runPhase(env, what, seconds, settings.rates[what]));
    }

    printSetup(kind, settings, worker.where, apiUrls.length, bench.cached);
    for (const result of results) {
      printPhase(result, raw, kind === "postgres" && settings.mode === "serve");
      if (result.what === "callback")
        console.log(
          `    receiver            ${receiver.connections - connectionsBefore} TCP connections accepted during the phase`,
        );
      else console.log(`    runtime stats       ${JSON.stringify(bench.runtime.stats())}`);
    }
    return results;
  } finally {
    await Promise.all(apiProcesses.map(stopChild));
    await stopWorker();
    await bench.close();
  }
}
