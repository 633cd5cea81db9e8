// Each hook's recent health for the hook list: one query for the whole list (not one per hook),
// each hook's part an index range on attempts_hook_time_idx.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import type { HookHealthValue } from "../schemas/hooks";

export const HEALTH_WINDOW_MS = 24 * 3_600_000;

/** What a hook without attempts in the window shows (a new hook, or an idle one). */
export const NO_ACTIVITY: HookHealthValue = {
  attempts: 0,
  failures: 0,
  successRate: null,
  lastAttemptAt: null,
  lastOutcome: null,
};

interface HealthRow {
  hook_id: string;
  attempts: number;
  failures: number;
  last_at: Date | null;
  last_outcome: string | null;
}

export async function hookHealth(
  db: Db,
  workspaceId: string,
  hookIds: string[],
  now = new Date(),
): Promise<Map<string, HookHealthValue>> {
  const health = new Map<string, HookHealthValue>();
  if (hookIds.length === 0) return health;
  const since = new Date(now.getTime() - HEALTH_WINDOW_MS);
  const hooks = sql.join(hookIds.map((id) => sql`(${id}::text)`));
  // Lateral per hook: the counts and the latest attempt each read only that hook's slice of the index.
  const { rows } = await sql<HealthRow>`
    select h.hook_id, s.attempts, s.failures, l.created_at as last_at, l.outcome as last_outcome
    from (values ${hooks}) as h(hook_id)
    cross join lateral (
      select count(*)::int as attempts, (count(*) filter (where a.outcome <> 'success'))::int as failures
      from attempts a
      where a.workspace_id = ${workspaceId} and a.hook_id = h.hook_id and a.created_at >= ${since}
    ) s
    left join lateral (
      select a.created_at, a.outcome from attempts a
      where a.workspace_id = ${workspaceId} and a.hook_id = h.hook_id and a.created_at >= ${since}
      order by a.created_at desc, a.id desc
      limit 1
    ) l on true`.execute(db);
  for (const row of rows) {
    health.set(row.hook_id, {
      attempts: row.attempts,
      failures: row.failures,
      successRate: row.attempts === 0 ? null : (row.attempts - row.failures) / row.attempts,
      lastAttemptAt: row.last_at ? row.last_at.toISOString() : null,
      lastOutcome: row.last_outcome,
    });
  }
  return health;
}
