// The one way to change a workspace's keys, hooks, event types or the workspace itself, so every
// process's key and catalog cache (services/hot-cache.ts) hears of it: the change and its
// announcement commit together, and the changing process's own cache drops the workspace before
// the caller answers.
import type { Transaction } from "kysely";
import type { Db } from "../db/connect";
import type { Database } from "../db/schema";
import { announceCatalogChange } from "./channels";

/** What a process's cache offers here (HotCache); the worker, which holds none, passes nothing. */
export interface DroppingCache {
  drop(workspaceId: string): void;
}

/** The database, and this process's cache if it has one (a service's Store is one). */
export interface CatalogWriter {
  db: Db;
  cache?: DroppingCache | undefined;
}

/**
 * Runs `change` in a transaction that announces the workspace on CACHE_CHANNEL, delivered to every
 * process on commit. `writer.cache`, this process's own, drops the workspace once the commit is
 * done, because its own NOTIFY may arrive a moment after the answer. After the commit and not
 * before: a read between such a drop and the commit would cache the old rows again; dropped after
 * it, a read begun earlier is discarded by the cache's epoch and one begun later sees the change.
 * One function for both, so no change can announce and forget the drop, or the other way round.
 */
export async function changeCatalog<T>(
  writer: CatalogWriter,
  workspaceId: string,
  change: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const announced = async (tx: Transaction<Database>) => {
    const value = await change(tx);
    await announceCatalogChange(tx, workspaceId);
    return value;
  };
  if (writer.db.isTransaction) {
    // Inside a caller's transaction (the worker writing a batch with the health it changes), the
    // announcement commits with it. No cache can drop after a commit it does not see.
    if (writer.cache) throw new Error("changeCatalog: pass a cache only with a database, not a transaction");
    return announced(writer.db as Transaction<Database>);
  }
  const result = await writer.db.transaction().execute(announced);
  writer.cache?.drop(workspaceId);
  return result;
}
