// Ingest: an event and one delivery per subscribed target, written in one transaction, so an
// accepted event is never without its deliveries. Workers are woken by a NOTIFY sent on commit.
import { type Kysely, sql } from "kysely";
import type { Database, HookRow } from "../db/schema";
import { newId } from "../ids";
import type { EventIngestInput } from "../schemas/events";
import type { Store } from "./context";
import { presentDelivery } from "./deliveries-view";
import { covers } from "./event-subscriptions";
import { cachedPayloadCheck } from "./json-schema";
import { failure, isUniqueViolation, type Result, success } from "./result";

export const DELIVERIES_CHANNEL = "hookrun_deliveries";

export interface Ingested {
  id: string;
  deliveries: ReturnType<typeof presentDelivery>[];
  /** True when the idempotency key matched an earlier event: nothing new was written. */
  replayed: boolean;
}

export async function ingestEvent(
  store: Store,
  workspaceId: string,
  input: EventIngestInput,
  idempotencyKey: string | undefined,
): Promise<Result<Ingested>> {
  const eventType = await store.db
    .selectFrom("event_types")
    .select(["id", "schema", "updated_at"])
    .where("workspace_id", "=", workspaceId)
    .where("name", "=", input.type)
    .executeTakeFirst();
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
  const key = idempotencyKey ?? input.id ?? null;
  if (key) {
    const earlier = await findByIdempotencyKey(store.db, workspaceId, key);
    if (earlier) return success(earlier);
  }
  try {
    return success(await writeEvent(store.db, workspaceId, input, key));
  } catch (error) {
    // Two posts with one key at the same moment: the loser answers with the winner's event.
    if (key && isUniqueViolation(error)) {
      const winner = await findByIdempotencyKey(store.db, workspaceId, key);
      if (winner) return success(winner);
    }
    throw error;
  }
}

async function writeEvent(
  db: Kysely<Database>,
  workspaceId: string,
  input: EventIngestInput,
  key: string | null,
) {
  return db.transaction().execute(async (tx) => {
    const event = await tx
      .insertInto("events")
      .values({
        id: newId("evt"),
        workspace_id: workspaceId,
        type: input.type,
        data: JSON.stringify(input.data ?? null),
        context: input.context === undefined ? null : JSON.stringify(input.context),
        idempotency_key: key,
      })
      .returning(["id", "created_at"])
      .executeTakeFirstOrThrow();
    const hooks = await tx
      .selectFrom("hooks")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("enabled", "=", true)
      .where("deleted_at", "is", null)
      .execute();
    const targets = hooks.flatMap((hook) => targetsOf(hook, input.type));
    const deliveries =
      targets.length === 0
        ? []
        : await tx
            .insertInto("deliveries")
            .values(
              targets.map((t) => ({
                id: newId("dlv"),
                workspace_id: workspaceId,
                event_id: event.id,
                hook_id: t.hookId,
                target: t.target,
                status: "pending" as const,
                next_attempt_at: event.created_at,
              })),
            )
            .returningAll()
            .execute();
    if (deliveries.length > 0) await sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(tx);
    return { id: event.id, deliveries: deliveries.map(presentDelivery), replayed: false };
  });
}

/**
 * One target per URL of a callback hook (URLs disabled by a 410 excluded), one per function hook
 * with a live version. A function without a deployed version has nothing to run yet.
 */
function targetsOf(hook: HookRow, eventType: string): { hookId: string; target: string }[] {
  if (!hook.events.some((subscription) => covers(subscription, eventType))) return [];
  if (hook.kind === "function")
    return hook.live_version === null ? [] : [{ hookId: hook.id, target: "function" }];
  const disabled = new Set((hook.disabled_urls ?? []).map((d) => d.url));
  return (hook.urls ?? [])
    .filter((url) => !disabled.has(url))
    .map((url) => ({ hookId: hook.id, target: url }));
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
