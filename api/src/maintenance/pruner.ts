// Runs retention on a timer in worker processes: first shortly after start, then every hour; on the
// embedded database (no autovacuum) it vacuums the busy tables after each round.
import type { Db } from "../db/connect";
import { type PruneResult, pruneExpired } from "../services/retention";
import { vacuumBusyTables } from "./vacuum";

export interface PrunerOptions {
  retentionDays: number;
  intervalMs?: number;
  /** Vacuum the busy tables after each round (the embedded database has no autovacuum). */
  vacuum?: boolean;
  onResult?: (result: PruneResult) => void;
  onError?: (error: unknown) => void;
}

export function startPruner(db: Db, options: PrunerOptions): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = pruneExpired(db, { retentionDays: options.retentionDays })
      .then(async (result) => {
        options.onResult?.(result);
        if (options.vacuum) await vacuumBusyTables(db);
      })
      .catch((error: unknown) => options.onError?.(error));
  };
  const first = setTimeout(run, 30_000);
  const every = setInterval(run, options.intervalMs ?? 3_600_000);
  first.unref();
  every.unref();
  return async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
