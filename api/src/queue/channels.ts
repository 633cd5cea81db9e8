// Every NOTIFY channel hookrun uses, and the only pg_notify calls: one small function per kind of
// announcement. A NOTIFY sent inside a transaction or statement is delivered when it commits.
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect";

/** Wakes the dispatch workers; payload: the new deliveries' hosts (see wake.ts), "" for any host. */
export const DELIVERIES_CHANNEL = "hookrun_deliveries";

/** New attempts were written, for the logs' live tails; payload: the workspace id. */
export const ATTEMPTS_CHANNEL = "hookrun_attempts";

/** A workspace's keys, hooks, event types or the workspace itself changed; payload: its id, or "*". */
export const CACHE_CHANNEL = "hookrun_cache";

/** Wakes the workers, as a statement of its own (in a transaction: on its commit). */
export async function wakeWorkers(db: Db, payload: string): Promise<void> {
  await sql`select ${wakeWorkersCall(payload)}`.execute(db);
}

/** The same wake-up as an expression, for a statement that writes deliveries and wakes in one go. */
export function wakeWorkersCall(payload: string): RawBuilder<unknown> {
  return sql`pg_notify(${DELIVERIES_CHANNEL}, ${payload})`;
}

/**
 * Tells the workspace's live tails that attempts were written, as an expression of the statement
 * that writes them; `workspaceId` may be a column of that statement (`sql.ref`).
 */
export function announceAttemptsCall(workspaceId: string | RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`pg_notify(${ATTEMPTS_CHANNEL}, ${workspaceId})`;
}

/**
 * Tells every process's key and catalog cache that the workspace changed. Called only by
 * changeCatalog (catalog-change.ts), inside the transaction that makes the change.
 */
export async function announceCatalogChange(db: Db, workspaceId: string): Promise<void> {
  await sql`select ${announceCatalogChangeCall(workspaceId)}`.execute(db);
}

/**
 * The same announcement as an expression, for a single statement that changes what a hook view
 * shows without touching the hook (the worker's breaker probes, dispatch/breaker-probes.ts): such a
 * process holds no cache of its own to drop. `workspaceId` may be a column of that statement.
 */
export function announceCatalogChangeCall(workspaceId: string | RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`pg_notify(${CACHE_CHANNEL}, ${workspaceId})`;
}
