// A hook's or the whole workspace's attempts in the buckets of a chart window: counts by outcome and
// p50/p95 duration per bucket, in one query, read from attempts_hook_time_idx (it carries outcome and
// duration, so it is an index-only scan; tests/api/activity.test.ts checks the plans).
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect";
import type {
  ActivityBucketValue,
  ActivityValue,
  ActivityWindowValue,
  WorkspaceActivityValue,
} from "../schemas/activity";
import { type Buckets, bucketStart, bucketsOf } from "./activity-buckets";
import { failingHooks } from "./failing-hooks";
import { failure, type Result, success } from "./result";
import { hookExists, roundMs } from "./stats";

interface BucketRow {
  bucket: number;
  /** null on ROLLUP's per-bucket total row (the column itself is never null). */
  outcome: string | null;
  n: number;
  p50: number | null;
  p95: number | null;
}

/** Which bucket an attempt (`a`) falls in by its created_at (0 = oldest). */
export function bucketIndex(buckets: Buckets): RawBuilder<number> {
  return sql<number>`floor((extract(epoch from a.created_at)::float8 * 1000 - ${buckets.from.getTime()}::float8) / ${buckets.sizeMs}::float8)::int`;
}

/**
 * The bucket query, exposed so tests and the benchmark EXPLAIN exactly what runs: a row per bucket
 * and outcome plus each bucket's total row (with that bucket's percentiles). The workspace's
 * attempts are read hook by hook (a lateral per hook, those deleted during the window included:
 * their attempts stay until retention prunes them; those deleted before it began have none in it,
 * and are skipped, so old deletions do not slow the chart), so even the workspace chart is an
 * index-only scan of attempts_hook_time_idx, never a filtered range of every tenant's attempts.
 */
export function activityQuery(
  workspaceId: string,
  hookId: string | null,
  buckets: Buckets,
): RawBuilder<BucketRow> {
  const ofHook = hookId === null ? sql`` : sql`and h.id = ${hookId}`;
  return sql<BucketRow>`
    select bucket, outcome, count(*)::int as n,
      percentile_cont(0.5) within group (order by duration_ms) as p50,
      percentile_cont(0.95) within group (order by duration_ms) as p95
    from hooks h
    cross join lateral (
      select ${bucketIndex(buckets)} as bucket, a.outcome, a.duration_ms
      from attempts a
      where a.workspace_id = ${workspaceId} and a.hook_id = h.id
        and a.created_at >= ${buckets.from} and a.created_at < ${buckets.to}
    ) a
    where h.workspace_id = ${workspaceId} ${ofHook}
      and (h.deleted_at is null or h.deleted_at > ${buckets.from})
    group by bucket, rollup(outcome)`;
}

export async function hookActivity(
  db: Db,
  workspaceId: string,
  hookId: string,
  window: ActivityWindowValue,
  now = new Date(),
): Promise<Result<ActivityValue>> {
  if (!(await hookExists(db, workspaceId, hookId))) return failure("not_found", `hook ${hookId} not found`);
  return success(await activity(db, workspaceId, hookId, window, now));
}

/** The activity of one hook (`hookId`) or of the whole workspace (`null`). */
export async function activity(
  db: Db,
  workspaceId: string,
  hookId: string | null,
  window: ActivityWindowValue,
  now = new Date(),
): Promise<ActivityValue> {
  const buckets = bucketsOf(window, now);
  const { rows } = await activityQuery(workspaceId, hookId, buckets).execute(db);
  const series: ActivityBucketValue[] = Array.from({ length: buckets.count }, (_, i) => ({
    start: bucketStart(buckets, i).toISOString(),
    total: 0,
    byOutcome: {},
    durationMs: { p50: null, p95: null },
  }));
  const byOutcome: Record<string, number> = {};
  let total = 0;
  for (const row of rows) {
    // An attempt recorded exactly at `to` by a clock a little ahead cannot land outside: the range excludes it.
    const bucket = series[row.bucket];
    if (!bucket) continue;
    const n = Number(row.n);
    if (row.outcome === null) {
      bucket.total = n;
      bucket.durationMs = { p50: roundMs(row.p50), p95: roundMs(row.p95) };
    } else {
      bucket.byOutcome[row.outcome] = n;
      byOutcome[row.outcome] = (byOutcome[row.outcome] ?? 0) + n;
      total += n;
    }
  }
  return {
    window,
    from: buckets.from.toISOString(),
    to: buckets.to.toISOString(),
    bucketSeconds: buckets.sizeMs / 1000,
    total,
    byOutcome,
    buckets: series,
  };
}

/** The workspace's activity and the hooks failing most in the same window. */
export async function workspaceActivity(
  db: Db,
  workspaceId: string,
  window: ActivityWindowValue,
  now = new Date(),
): Promise<WorkspaceActivityValue> {
  const series = await activity(db, workspaceId, null, window, now);
  const failing = await failingHooks(db, workspaceId, new Date(series.from), new Date(series.to));
  return { ...series, failingHooks: failing };
}
