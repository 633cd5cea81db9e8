// The hooks failing most in a window, for the workspace overview: per hook its attempts and failures,
// each hook's part an index-only range of attempts_hook_time_idx (a lateral per hook, as the hook
// list's health does), so the cost grows with the hooks and their attempts, not the whole table.
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect";
import type { FailingHookValue } from "../schemas/activity";

/** How many the overview lists. */
export const FAILING_HOOKS_SHOWN = 5;

interface FailingRow {
  hook_id: string;
  name: string;
  kind: "callback" | "function";
  attempts: number;
  failures: number;
}

/** The query, exposed so tests and the benchmark EXPLAIN exactly what runs. */
export function failingHooksQuery(workspaceId: string, from: Date, to: Date): RawBuilder<FailingRow> {
  return sql<FailingRow>`
    select h.id as hook_id, h.name, h.kind, s.attempts, s.failures
    from hooks h
    cross join lateral (
      select count(*)::int as attempts, (count(*) filter (where a.outcome <> 'success'))::int as failures
      from attempts a
      where a.workspace_id = ${workspaceId} and a.hook_id = h.id and a.created_at >= ${from} and a.created_at < ${to}
    ) s
    where h.workspace_id = ${workspaceId} and h.deleted_at is null and s.failures > 0
    order by s.failures desc, h.name, h.id
    limit ${sql.lit(FAILING_HOOKS_SHOWN)}`;
}

export async function failingHooks(
  db: Db,
  workspaceId: string,
  from: Date,
  to: Date,
): Promise<FailingHookValue[]> {
  const { rows } = await failingHooksQuery(workspaceId, from, to).execute(db);
  return rows.map((r) => ({
    hookId: r.hook_id,
    name: r.name,
    kind: r.kind,
    attempts: r.attempts,
    failures: r.failures,
    successRate: (r.attempts - r.failures) / r.attempts,
  }));
}
