// The execution log: one record per attempt. Lists carry summaries only (the JSON columns can be
// kilobytes each); one record by id carries everything.
import { type Selectable, sql } from "kysely";
import type { Db } from "../db/connect";
import type { AttemptsTable } from "../db/schema";
import type { LogRecordValue, LogSummaryValue } from "../schemas/logs";
import {
  after,
  type Page,
  type PageRequest,
  type Position,
  pageQuery,
  positionColumn,
  toPage,
} from "./pagination";
import { failure, type Result, success } from "./result";

export interface LogFilter {
  hookId?: string | undefined;
  kind?: "callback" | "function" | undefined;
  outcome?: string | undefined;
  status?: "succeeded" | "failed" | undefined;
  eventType?: string | undefined;
  eventId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** Everything a summary needs; the response status is read out of the response JSON. */
const SUMMARY_COLUMNS = [
  "id",
  "hook_id",
  "kind",
  "trigger",
  "event_id",
  "event_type",
  "delivery_id",
  "attempt",
  "outcome",
  "started_at",
  "duration_ms",
  "created_at",
  "cpu_ms",
  sql<number | null>`(response->>'status')::int`.as("response_status"),
] as const;

/**
 * The attempts of one workspace matching the filter, nothing selected yet. Each filter has an index
 * starting (workspace_id, <column>, created_at desc, id desc) — see the log_indexes migration.
 */
export function filteredAttempts(db: Db, workspaceId: string, filter: LogFilter) {
  let query = db.selectFrom("attempts").where("workspace_id", "=", workspaceId);
  if (filter.hookId) query = query.where("hook_id", "=", filter.hookId);
  if (filter.kind) query = query.where("kind", "=", filter.kind);
  if (filter.outcome) query = query.where("outcome", "=", filter.outcome);
  // Literals, not parameters: the planner must see `outcome <> 'success'` to use the partial index.
  if (filter.status === "succeeded") query = query.where(sql<boolean>`outcome = 'success'`);
  if (filter.status === "failed") query = query.where(sql<boolean>`outcome <> 'success'`);
  if (filter.eventType) query = query.where("event_type", "=", filter.eventType);
  if (filter.eventId) query = query.where("event_id", "=", filter.eventId);
  if (filter.since) query = query.where("created_at", ">=", filter.since);
  if (filter.until) query = query.where("created_at", "<", filter.until);
  return query;
}

/** The page query, exposed so tests and the benchmark can EXPLAIN exactly what runs. */
export function logPageQuery(db: Db, workspaceId: string, filter: LogFilter & PageRequest) {
  return pageQuery(filteredAttempts(db, workspaceId, filter).select(SUMMARY_COLUMNS), filter);
}

export async function listLogs(
  db: Db,
  workspaceId: string,
  filter: LogFilter & PageRequest,
): Promise<Result<Page<LogSummaryValue>>> {
  const query = logPageQuery(db, workspaceId, filter);
  if (!query.ok) return query;
  const rows = await query.value.execute();
  const names = await hookNames(db, rows.slice(0, filter.limit));
  return success(toPage(rows, filter.limit, (row) => presentSummary(row, names)));
}

/** Attempts after `position` in ascending order, for the live tail. */
export function newerAttempts(
  db: Db,
  workspaceId: string,
  filter: LogFilter,
  position: Position,
  limit: number,
) {
  return filteredAttempts(db, workspaceId, filter)
    .select([...SUMMARY_COLUMNS, positionColumn])
    .where(after(position))
    .orderBy("created_at", "asc")
    .orderBy("id", "asc")
    .limit(limit);
}

export async function getLog(db: Db, workspaceId: string, id: string): Promise<Result<LogRecordValue>> {
  const row = await db
    .selectFrom("attempts")
    .selectAll()
    .select([sql<number | null>`(response->>'status')::int`.as("response_status"), positionColumn])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return failure("not_found", `log record ${id} not found`);
  const names = await hookNames(db, [row]);
  return success({
    ...presentSummary(row, names),
    request: row.request,
    response: row.response,
    result: row.result,
    logs: row.logs,
    error: row.error,
    heapBytes: row.heap_bytes,
  });
}

export type SummaryRow = Pick<
  Selectable<AttemptsTable>,
  | "id"
  | "hook_id"
  | "kind"
  | "trigger"
  | "event_id"
  | "event_type"
  | "delivery_id"
  | "attempt"
  | "outcome"
  | "started_at"
  | "duration_ms"
  | "created_at"
  | "cpu_ms"
> & { response_status: number | null; position: string };

/** Names in a second, primary-key query: a join would only complicate the page query's plan. */
export async function hookNames(db: Db, rows: { hook_id: string }[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.hook_id))];
  if (ids.length === 0) return new Map();
  const hooks = await db.selectFrom("hooks").select(["id", "name"]).where("id", "in", ids).execute();
  return new Map(hooks.map((h) => [h.id, h.name]));
}

export function presentSummary(row: SummaryRow, names: Map<string, string>): LogSummaryValue {
  return {
    id: row.id,
    hookId: row.hook_id,
    hookName: names.get(row.hook_id) ?? null,
    kind: row.kind,
    trigger: row.trigger,
    eventId: row.event_id,
    eventType: row.event_type,
    deliveryId: row.delivery_id,
    attempt: row.attempt,
    outcome: row.outcome,
    startedAt: row.started_at.toISOString(),
    durationMs: row.duration_ms,
    createdAt: row.created_at.toISOString(),
    responseStatus: row.response_status,
    cpuMs: row.cpu_ms,
  };
}
