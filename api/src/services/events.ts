// Reading events back, each with its deliveries.
import type { Selectable } from "kysely";
import type { Db } from "../db/connect";
import type { EventsTable } from "../db/schema";
import type { EventViewValue } from "../schemas/events";
import { presentDelivery } from "./deliveries-view";
import { fetchPageRows, type Page, type PageRequest, toPage } from "./pagination";
import { failure, type Result, success } from "./result";

export interface EventFilter extends PageRequest {
  type?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

export async function listEvents(
  db: Db,
  workspaceId: string,
  filter: EventFilter,
): Promise<Result<Page<EventViewValue>>> {
  let query = db.selectFrom("events").selectAll().where("workspace_id", "=", workspaceId);
  if (filter.type) query = query.where("type", "=", filter.type);
  if (filter.since) query = query.where("created_at", ">=", filter.since);
  if (filter.until) query = query.where("created_at", "<", filter.until);
  const page = await fetchPageRows(query, filter);
  if (!page.ok) return page;
  const rows = page.value;
  const withDeliveries = await attachDeliveries(db, rows.slice(0, filter.limit));
  return success(toPage(rows, filter.limit, (row) => withDeliveries.get(row.id) ?? present(row, [])));
}

export async function getEvent(db: Db, workspaceId: string, id: string): Promise<Result<EventViewValue>> {
  const row = await db
    .selectFrom("events")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return failure("not_found", `event ${id} not found`);
  const views = await attachDeliveries(db, [row]);
  return success(views.get(row.id) ?? present(row, []));
}

async function attachDeliveries(
  db: Db,
  events: Selectable<EventsTable>[],
): Promise<Map<string, EventViewValue>> {
  const views = new Map<string, EventViewValue>();
  if (events.length === 0) return views;
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where(
      "event_id",
      "in",
      events.map((e) => e.id),
    )
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  for (const event of events) {
    views.set(
      event.id,
      present(event, deliveries.filter((d) => d.event_id === event.id).map(presentDelivery)),
    );
  }
  return views;
}

function present(row: Selectable<EventsTable>, deliveries: EventViewValue["deliveries"]): EventViewValue {
  return {
    id: row.id,
    type: row.type,
    data: row.data,
    context: row.context,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at.toISOString(),
    deliveries,
  };
}
