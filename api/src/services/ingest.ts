// Ingest: checks an event against the catalog and works out its deliveries, one per subscribed
// target; the event writer stores both in one statement, so an accepted event is never without them.
import type { Kysely } from "kysely";
import { type Hook, parseHookRow } from "../db/hook";
import type { Database } from "../db/schema";
import { newId } from "../ids";
import type { EventIngestInput } from "../schemas/events";
import { isReservedEventType } from "../schemas/hook-rules";
import { applyFilters, type CachedEventType, Catalog, type DeliveryTarget, targetsOf } from "./catalog";
import type { Store } from "./context";
import { presentDelivery } from "./deliveries-view";
import type { EventWriter } from "./event-writer";
import type { HotCache } from "./hot-cache";
import { cachedPayloadCheck } from "./json-schema";
import { failure, type Result, success } from "./result";

export interface Ingested {
  id: string;
  deliveries: ReturnType<typeof presentDelivery>[];
  /** True when the idempotency key matched an earlier event: nothing new was written. */
  replayed: boolean;
}

/** The process's event writer, and its hot cache (catalog and subscribed hooks per workspace) if any. */
export interface IngestStore extends Store {
  events: EventWriter;
  cache?: HotCache | undefined;
}

export async function ingestEvent(
  store: IngestStore,
  workspaceId: string,
  input: EventIngestInput,
  idempotencyKey: string | undefined,
): Promise<Result<Ingested>> {
  // Only hookrun emits its own events (services/operational-events.ts).
  if (isReservedEventType(input.type))
    return failure("invalid", `events of type "${input.type}" are hookrun's own and cannot be posted`, [
      { path: "type", message: "reserved for hookrun's operational events" },
    ]);
  const catalog = store.cache?.isActive
    ? await store.cache.catalog(workspaceId, () => loadCatalog(store.db, workspaceId))
    : null;
  let eventType: CachedEventType | undefined;
  let targets: DeliveryTarget[];
  if (catalog) {
    // A type missing from the cached catalog is looked up: one created a moment ago is accepted.
    eventType =
      catalog.eventTypes.get(input.type) ?? (await readEventType(store.db, workspaceId, input.type));
    targets = eventType ? catalog.targets(input.type) : [];
  } else {
    // Both reads at once: on PostgreSQL they run on two pooled connections, one round trip in all.
    const [type, hooks] = await Promise.all([
      readEventType(store.db, workspaceId, input.type),
      subscribedHooks(store.db, workspaceId),
    ]);
    eventType = type;
    targets = targetsOf(hooks, input.type);
  }
  if (!eventType)
    return failure("invalid", `event type "${input.type}" is not in the catalog`, [
      { path: "type", message: "unknown event type" },
    ]);
  if (eventType.schema) {
    const check = cachedPayloadCheck(
      `${eventType.id}@${eventType.updated_at.toISOString()}`,
      eventType.schema,
    );
    const problems = check(input.data);
    if (problems.length > 0)
      return failure("invalid", `data does not match the schema of "${input.type}"`, problems);
  }
  // Matched as the receiver would see it: `context` is null when the event has none.
  const chosen = applyFilters(targets, {
    type: input.type,
    data: input.data ?? null,
    context: input.context ?? null,
  });
  const key = idempotencyKey ?? input.id ?? null;
  const eventId = newId("evt");
  const outcome = await store.events.write({
    id: eventId,
    workspaceId,
    type: input.type,
    data: JSON.stringify(input.data ?? null),
    context: input.context === undefined ? null : JSON.stringify(input.context),
    idempotencyKey: key,
    deliveries: chosen.targets.map((t) => ({
      id: newId("dlv"),
      hookId: t.hookId,
      target: t.target,
      inLine: t.inLine,
    })),
    filteredHooks: chosen.filteredHooks,
  });
  if (outcome.written)
    return success({ id: eventId, deliveries: outcome.deliveries.map(presentDelivery), replayed: false });
  // Only a taken idempotency key stops a write: answer with the event that holds it.
  const earlier = key ? await findByIdempotencyKey(store.db, workspaceId, key) : null;
  if (!earlier) throw new Error(`event ${eventId} was not written and no event holds its key`);
  return success(earlier);
}

function readEventType(db: Kysely<Database>, workspaceId: string, type: string) {
  return db
    .selectFrom("event_types")
    .select(["id", "schema", "updated_at"])
    .where("workspace_id", "=", workspaceId)
    .where("name", "=", type)
    .executeTakeFirst();
}

/** Everything ingest reads about a workspace, for the hot cache. */
async function loadCatalog(db: Kysely<Database>, workspaceId: string): Promise<Catalog> {
  const [types, hooks] = await Promise.all([
    db
      .selectFrom("event_types")
      .select(["id", "name", "schema", "updated_at"])
      .where("workspace_id", "=", workspaceId)
      .execute(),
    subscribedHooks(db, workspaceId),
  ]);
  return new Catalog(
    new Map(types.map((t) => [t.name, { id: t.id, schema: t.schema, updated_at: t.updated_at }])),
    hooks,
  );
}

/**
 * Hooks that may receive the event. Read before the write: a hook deleted or disabled in between
 * gets a delivery the worker cancels instead of sending, so "never again after delete" holds.
 */
async function subscribedHooks(db: Kysely<Database>, workspaceId: string): Promise<Hook[]> {
  const rows = await db
    .selectFrom("hooks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("enabled", "=", true)
    .where("deleted_at", "is", null)
    .execute();
  return rows.map(parseHookRow);
}

async function findByIdempotencyKey(
  db: Kysely<Database>,
  workspaceId: string,
  key: string,
): Promise<Ingested | null> {
  const event = await db
    .selectFrom("events")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  if (!event) return null;
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("event_id", "=", event.id)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return { id: event.id, deliveries: deliveries.map(presentDelivery), replayed: true };
}
