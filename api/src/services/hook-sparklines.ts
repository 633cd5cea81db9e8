// Every hook's success rate per bucket of a chart window, for the hook list's sparklines: one query
// for the whole list, each hook's part an index-only range of attempts_hook_time_idx (a lateral per hook).
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect";
import type { ActivityWindowValue, HookSparklinesValue } from "../schemas/activity";
import { bucketIndex } from "./activity";
import { type Buckets, bucketsOf } from "./activity-buckets";

interface SparkRow {
  hook_id: string;
  /** null for a hook without attempts in the window (the left join's empty side). */
  bucket: number | null;
  attempts: number | null;
  failures: number | null;
}

/** The query, exposed so tests and the benchmark EXPLAIN exactly what runs. */
export function sparklinesQuery(workspaceId: string, buckets: Buckets): RawBuilder<SparkRow> {
  return sql<SparkRow>`
    select h.id as hook_id, s.bucket, s.attempts, s.failures
    from hooks h
    left join lateral (
      select ${bucketIndex(buckets)} as bucket, count(*)::int as attempts,
        (count(*) filter (where a.outcome <> 'success'))::int as failures
      from attempts a
      where a.workspace_id = ${workspaceId} and a.hook_id = h.id
        and a.created_at >= ${buckets.from} and a.created_at < ${buckets.to}
      group by 1
    ) s on true
    where h.workspace_id = ${workspaceId} and h.deleted_at is null
    order by h.created_at, h.id`;
}

export async function hookSparklines(
  db: Db,
  workspaceId: string,
  window: ActivityWindowValue,
  now = new Date(),
): Promise<HookSparklinesValue> {
  const buckets = bucketsOf(window, now);
  const { rows } = await sparklinesQuery(workspaceId, buckets).execute(db);
  const hooks = new Map<string, { attempts: number[]; failures: number[] }>();
  for (const row of rows) {
    let hook = hooks.get(row.hook_id);
    if (!hook) {
      hook = { attempts: new Array(buckets.count).fill(0), failures: new Array(buckets.count).fill(0) };
      hooks.set(row.hook_id, hook);
    }
    if (row.bucket === null || row.bucket < 0 || row.bucket >= buckets.count) continue;
    hook.attempts[row.bucket] = row.attempts ?? 0;
    hook.failures[row.bucket] = row.failures ?? 0;
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    window,
    from: buckets.from.toISOString(),
    to: buckets.to.toISOString(),
    bucketSeconds: buckets.sizeMs / 1000,
    hooks: [...hooks].map(([hookId, h]) => ({
      hookId,
      attempts: sum(h.attempts),
      failures: sum(h.failures),
      points: h.attempts.map((n, i) => ({
        attempts: n,
        successRate: n === 0 ? null : (n - (h.failures[i] ?? 0)) / n,
      })),
    })),
  };
}
