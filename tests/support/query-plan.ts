// Query plans for the index checks: a seeded table of attempts (so the planner has real statistics),
// EXPLAIN of a compiled query, and whether every read of `attempts` in a plan is an index scan.
import { CompiledQuery } from "kysely";
import type { TestApi } from "./app";

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** The hooks of the seeded table: four in the busy workspace, one in the other. */
export const PLAN_HOOKS = ["hk_plan_cb1", "hk_plan_cb2", "hk_plan_fn1", "hk_plan_fn2", "hk_plan_other"];

/**
 * The plan hooks, then n attempts in one statement, one every `stepSeconds` back from now: 90% in
 * `ws` over its four hooks, the rest in `otherWs`. Vacuumed as autovacuum keeps a real table, so
 * the planner knows index-only scans need no heap fetches.
 */
export async function seedPlanTable(
  api: TestApi,
  ws: string,
  otherWs: string,
  n: number,
  stepSeconds = 1,
): Promise<void> {
  await api.db
    .insertInto("hooks")
    .values(
      PLAN_HOOKS.map((id) => ({
        id,
        workspace_id: id === "hk_plan_other" ? otherWs : ws,
        kind: id.includes("fn") ? ("function" as const) : ("callback" as const),
        name: id,
        events: JSON.stringify(["*"]),
        retry: JSON.stringify({ maxAttempts: 8 }),
      })),
    )
    .execute();
  await api.db.executeQuery(
    CompiledQuery.raw(
      `insert into attempts (id, workspace_id, hook_id, kind, trigger, event_id, event_type, attempt, outcome,
         started_at, duration_ms, response, created_at)
       select 'att_plan_' || lpad(g::text, 8, '0'),
         case when g % 10 = 0 then $2 else $1 end,
         case when g % 10 = 0 then 'hk_plan_other' else (array['hk_plan_cb1','hk_plan_cb2','hk_plan_fn1','hk_plan_fn2'])[1 + g % 4] end,
         case when g % 10 <> 0 and g % 4 >= 2 then 'function' else 'callback' end,
         'delivery', 'evt_plan_' || (g / 2), (array['verification','manual_verification','order.created','order.paid'])[1 + (g / 3) % 4],
         1 + g % 3,
         case when g % 50 = 0 then 'timeout' when g % 17 = 0 then 'http_error' else 'success' end,
         now() - g * $3 * interval '1 second', g % 900,
         case when g % 4 < 2 then '{"status": 200}'::jsonb end,
         now() - g * $3 * interval '1 second'
       from generate_series(1, ${n}) as g`,
      [ws, otherWs, stepSeconds],
    ),
  );
  await api.db.executeQuery(CompiledQuery.raw("vacuum analyze attempts"));
}

export async function explain(api: TestApi, sql: string, parameters: readonly unknown[]): Promise<PlanNode> {
  const result = await api.db.executeQuery<{ "QUERY PLAN": unknown }>(
    CompiledQuery.raw(`explain (format json) ${sql}`, [...parameters]),
  );
  const raw = result.rows[0]?.["QUERY PLAN"];
  const parsed = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const plan = parsed[0]?.Plan;
  if (!plan) throw new Error("no plan");
  return plan;
}

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** The attempts indexes a plan reads, and its reads of attempts that are not index scans. */
export function attemptsReads(plan: PlanNode): { indexes: string[]; unindexed: PlanNode[] } {
  const nodes = planNodes(plan);
  const onAttempts = nodes.filter((n) => n["Relation Name"] === "attempts");
  return {
    indexes: nodes.map((n) => n["Index Name"] ?? "").filter((name) => name.startsWith("attempts_")),
    // Index Scan / Index Only Scan, or a Bitmap Heap Scan fed by a Bitmap Index Scan.
    unindexed: onAttempts.filter(
      (n) => !/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/.test(n["Node Type"]),
    ),
  };
}
