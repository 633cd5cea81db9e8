// Per-hook numbers over a window, computed in SQL on the (workspace_id, hook_id, created_at) index:
// counts by outcome, percentiles of duration and the latest failure; and the events its filter
// turned away (hook_filter_counts, kept per hour).
import { sql } from "kysely";
import type { Db } from "../db/connect";
import { type HookStatsValue, windowMs } from "../schemas/logs";
import { failure, type Result, success } from "./result";

/** What an error column or a response says in one line, for "last failure". */
const errorSummary = sql<string | null>`coalesce(error->>'message', 'HTTP ' || (response->>'status'))`;

export async function hookStats(
  db: Db,
  workspaceId: string,
  hookId: string,
  window: string,
  now = new Date(),
): Promise<Result<HookStatsValue>> {
  if (!(await hookExists(db, workspaceId, hookId))) return failure("not_found", `hook ${hookId} not found`);

  const from = new Date(now.getTime() - windowMs(window));
  const inWindow = db
    .selectFrom("attempts")
    .where("workspace_id", "=", workspaceId)
    .where("hook_id", "=", hookId)
    .where("created_at", ">=", from)
    .where("created_at", "<", now);

  // One pass: a row per outcome plus ROLLUP's total row (outcome null: the column is never null),
  // each with its own percentiles; only the total's are answered.
  const groups = await inWindow
    .select([
      "outcome",
      (eb) => eb.fn.countAll<number>().as("n"),
      sql<number | null>`percentile_cont(0.5) within group (order by duration_ms)`.as("p50"),
      sql<number | null>`percentile_cont(0.95) within group (order by duration_ms)`.as("p95"),
    ])
    .groupBy(sql`rollup(outcome)`)
    .execute();
  const lastFailure = await inWindow
    .select(["id", "outcome", "created_at", errorSummary.as("error")])
    .where(sql<boolean>`outcome <> 'success'`)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();

  const filtered = await filteredEvents(db, workspaceId, hookId, from, now);

  const counts = groups.filter((g) => g.outcome !== null);
  const durations = groups.find((g) => g.outcome === null);
  const byOutcome = Object.fromEntries(counts.map((c) => [c.outcome, Number(c.n)]));
  const total = counts.reduce((sum, c) => sum + Number(c.n), 0);
  return success({
    window,
    from: from.toISOString(),
    to: now.toISOString(),
    total,
    byOutcome,
    successRate: total === 0 ? null : (byOutcome.success ?? 0) / total,
    durationMs: { p50: roundMs(durations?.p50), p95: roundMs(durations?.p95) },
    filtered,
    lastFailure: lastFailure
      ? {
          at: lastFailure.created_at.toISOString(),
          outcome: lastFailure.outcome,
          attemptId: lastFailure.id,
          error: lastFailure.error,
        }
      : null,
  });
}

/** Events the hook's filter turned away in the hours the window touches (counts are kept per hour). */
async function filteredEvents(db: Db, workspaceId: string, hookId: string, from: Date, to: Date) {
  const row = await db
    .selectFrom("hook_filter_counts")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("events"), sql<string>`0`).as("n"))
    .where("workspace_id", "=", workspaceId)
    .where("hook_id", "=", hookId)
    .where("hour", ">=", sql<Date>`date_trunc('hour', ${from.toISOString()}::timestamptz)`)
    .where("hour", "<", to)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Whether the workspace has this (not deleted) hook: the stats and charts of any other are a 404. */
export async function hookExists(db: Db, workspaceId: string, hookId: string): Promise<boolean> {
  const hook = await db
    .selectFrom("hooks")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", hookId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return hook !== undefined;
}

/** percentile_cont interpolates; a tenth of a millisecond is precision enough. */
export function roundMs(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10;
}
