// Runs retention on a timer in worker processes: first shortly after start, then every hour.
import type { Db } from "../db/connect";
import { type PruneResult, pruneExpired } from "../services/retention";

export interface PrunerOptions {
  retentionDays: number;
  intervalMs?: number;
  onResult?: (result: PruneResult) => void;
  onError?: (error: unknown) => void;
}

export function startPruner(db: Db, options: PrunerOptions): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = pruneExpired(db, { retentionDays: options.retentionDays })
      .then((result) => options.onResult?.(result))
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
