// Deliveries: listed, retried by hand, and re-created for a hook over a time range (replay).
import { sql } from "kysely";
import type { Db } from "../db/connect";
import { parseHookRow } from "../db/hook";
import type { DeliveryStatus } from "../db/schema";
import { newId } from "../ids";
import { nextLineSeq, wakeWorkers } from "../queue";
import type { DeliveryViewValue } from "../schemas/events";
import { covers } from "../schemas/hook-rules";
import { targetsOf } from "./catalog";
import { presentDelivery } from "./deliveries-view";
import { fetchPageRows, type Page, type PageRequest, toPage } from "./pagination";
import { failure, type Result, success } from "./result";

export interface DeliveryFilter extends PageRequest {
  hookId?: string | undefined;
  eventId?: string | undefined;
  status?: DeliveryStatus | undefined;
}

export async function listDeliveries(
  db: Db,
  workspaceId: string,
  filter: DeliveryFilter,
): Promise<Result<Page<DeliveryViewValue>>> {
  let query = db.selectFrom("deliveries").selectAll().where("workspace_id", "=", workspaceId);
  if (filter.hookId) query = query.where("hook_id", "=", filter.hookId);
  if (filter.eventId) query = query.where("event_id", "=", filter.eventId);
  if (filter.status) query = query.where("status", "=", filter.status);
  const rows = await fetchPageRows(query, filter);
  return rows.ok ? success(toPage(rows.value, filter.limit, presentDelivery)) : rows;
}

export async function getDelivery(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<Result<DeliveryViewValue>> {
  const row = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? success(presentDelivery(row)) : failure("not_found", `delivery ${id} not found`);
}

/**
 * Sends a finished delivery once more, now. If that attempt fails too and the hook's attempts are
 * used up, the delivery is failed again at once: a manual retry is one attempt, not a new schedule.
 */
export async function retryDelivery(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<Result<DeliveryViewValue>> {
  const row = await db
    .selectFrom("deliveries")
    .innerJoin("hooks", "hooks.id", "deliveries.hook_id")
    .select(["deliveries.status", "hooks.deleted_at", "hooks.kind", "hooks.fifo"])
    .where("deliveries.workspace_id", "=", workspaceId)
    .where("deliveries.id", "=", id)
    .executeTakeFirst();
  if (!row) return failure("not_found", `delivery ${id} not found`);
  if (row.deleted_at) return failure("invalid", "the hook of this delivery was deleted");
  // A finished delivery is attempted again; a pending one waiting for its next try is brought
  // forward to now ("retry now"). Only one a worker is attempting this moment (leased) is left be.
  const updated = await db.transaction().execute(async (tx) => {
    const next = await tx
      .updateTable("deliveries")
      .set({
        status: "pending",
        next_attempt_at: sql`now()`,
        // Due now, though a gate may hold it back again (its FIFO line, its URL's open circuit).
        waiting: null,
        // A finished delivery of a FIFO hook joins the back of its URL's line; a pending one keeps
        // its place.
        ...(row.kind === "callback" && row.fifo && row.status !== "pending"
          ? { line_seq: nextLineSeq(), line_admitted: false }
          : {}),
        lease_owner: null,
        finished_at: null,
        updated_at: sql`now()`,
      })
      .where("id", "=", id)
      .where((w) => w.or([w("status", "<>", "pending"), w("lease_owner", "is", null)]))
      .returningAll()
      .executeTakeFirst();
    if (next) await wakeWorkers(tx, "");
    return next;
  });
  if (!updated)
    return failure("conflict", "the delivery is being attempted right now; its result decides what follows");
  return success(presentDelivery(updated));
}

export const MAX_REPLAY_EVENTS = 10_000;

/** Re-enqueues the hook's events of a time range as new deliveries (the old ones stay as they were). */
export async function replayHook(
  db: Db,
  workspaceId: string,
  hookId: string,
  range: { since: Date; until: Date },
): Promise<Result<{ events: number; deliveries: number }>> {
  const row = await db
    .selectFrom("hooks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", hookId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!row) return failure("not_found", `hook ${hookId} not found`);
  const hook = parseHookRow(row);
  if (range.until <= range.since) return failure("invalid", "`until` must be after `since`");
  if (hook.kind === "function" && hook.live_version === null)
    return failure("invalid", "the function has no live version to run");
  const events = await db
    .selectFrom("events")
    .select(["id", "type"])
    .where("workspace_id", "=", workspaceId)
    .where("created_at", ">=", range.since)
    .where("created_at", "<", range.until)
    .orderBy("created_at")
    .limit(MAX_REPLAY_EVENTS + 1)
    .execute();
  if (events.length > MAX_REPLAY_EVENTS) {
    return failure("invalid", `the range holds more than ${MAX_REPLAY_EVENTS} events; replay a shorter one`);
  }
  const matching = events.filter((e) => hook.events.some((s) => covers(s, e.type)));
  // The same targets ingest would give the event now (URLs retired by a 410 left out).
  const rows = matching.flatMap((event) =>
    targetsOf([hook], event.type).map(({ target, inLine }) => ({
      id: newId("dlv"),
      workspace_id: workspaceId,
      event_id: event.id,
      hook_id: hookId,
      target,
      status: "pending" as const,
      // At the back of the URL's FIFO line, in the events' order (VALUES rows are taken in order).
      line_seq: inLine ? nextLineSeq() : null,
    })),
  );
  if (rows.length > 0) {
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += 1000)
        await tx
          .insertInto("deliveries")
          .values(rows.slice(i, i + 1000))
          .execute();
      await wakeWorkers(tx, "");
    });
  }
  return success({ events: matching.length, deliveries: rows.length });
}
