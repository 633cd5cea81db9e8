// Emitting hookrun's operational events (services/operational-types.ts) into the workspace whose hook
// they concern, and a copy into HOOKRUN_OPERATIONS_WORKSPACE: through ingest's write path (the events
// row, a delivery per subscribed target with its hook's filter applied, the workers' wake NOTIFY),
// inside the caller's transaction, the one that writes the transition. So a transition is never
// written without its event, nor an event without its transition.
import { sql, type Transaction } from "kysely";
import type { Hook } from "../db/hook";
import { parseHookRow } from "../db/hook";
import type { Database } from "../db/schema";
import { newId } from "../ids";
import { OPERATIONAL_PREFIX } from "../schemas/hook-rules";
import { applyFilters, targetsOf } from "./catalog";
import { insertEvents, type NewEvent } from "./event-writer";
import { isOperationalEventType, type OperationalData, type OperationalEventType } from "./operational-types";

export interface OperationalEvent {
  type: OperationalEventType;
  data: OperationalData;
}

/** What an operational event is about: a hook, and the delivery whose attempt made the change. */
export interface OperationalSubject {
  hook: Pick<Hook, "id" | "name" | "workspace_id" | "kind">;
  delivery: {
    id: string;
    eventId: string;
    eventType: string;
    /** The URL, or "function". */
    target: string;
    /** Attempts so far, this one included. */
    attempts: number;
    lastOutcome: string | null;
  };
}

function about(type: OperationalEventType, { hook, delivery }: OperationalSubject, reason: string) {
  const { target, ...rest } = delivery;
  return {
    type,
    data: {
      workspace: hook.workspace_id,
      hook: { id: hook.id, name: hook.name },
      url: hook.kind === "function" ? null : target,
      delivery: rest,
      reason,
    },
  } satisfies OperationalEvent;
}

/** The hook was disabled automatically (a failing streak too long), by this delivery's attempt. */
export const hookDisabled = (subject: OperationalSubject, reason: string) =>
  about("hookrun.hook.disabled", subject, reason);

/** The delivery's URL answered 410 Gone and was disabled on its hook. */
export const urlDisabled = (subject: OperationalSubject) =>
  about("hookrun.url.disabled", subject, "the receiver answered 410 Gone");

/** The delivery failed for good after this attempt. */
export const deliveryExhausted = (subject: OperationalSubject, reason: string) =>
  about("hookrun.delivery.exhausted", subject, reason);

/** The delivery's URL's circuit breaker opened after this attempt (e.g. "10 consecutive failures"). */
export const circuitOpened = (subject: OperationalSubject, reason: string) =>
  about("hookrun.url.circuit_opened", subject, reason);

/** The delivery's URL's circuit breaker closed: this attempt (a probe) succeeded. */
export const urlRecovered = (subject: OperationalSubject, reason = "a probe succeeded") =>
  about("hookrun.url.recovered", subject, reason);

/**
 * Writes the operational events, each into its hook's workspace and, when `operationsWorkspace` is
 * another one that exists, a copy into it (`data.workspace` names the origin). An event about a
 * delivery of an operational event is dropped: a hook failing on them never causes more of them.
 * Reads the subscribed hooks inside the transaction (transitions are rare), so a hook or URL the
 * same transaction disabled is not sent the event about it.
 */
export async function emitOperational(
  tx: Transaction<Database>,
  events: OperationalEvent[],
  operationsWorkspace: string | null = null,
): Promise<void> {
  const emitted = events.filter((e) => !isOperationalEventType(e.data.delivery.eventType));
  if (emitted.length === 0) return;
  const copies =
    operationsWorkspace && (await workspaceExists(tx, operationsWorkspace))
      ? emitted
          .filter((e) => e.data.workspace !== operationsWorkspace)
          .map((e) => ({ ...e, into: operationsWorkspace }))
      : [];
  const all = [...emitted.map((e) => ({ ...e, into: e.data.workspace })), ...copies];
  const hooks = await subscribedToOperational(tx, [...new Set(all.map((e) => e.into))]);
  const rows: NewEvent[] = all.map(({ type, data, into }) => {
    const targets = targetsOf(
      hooks.filter((h) => h.workspace_id === into),
      type,
    );
    // Matched as receivers see it: an operational event has no context.
    const chosen = applyFilters(targets, { type, data, context: null });
    return {
      id: newId("evt"),
      workspaceId: into,
      type,
      data: JSON.stringify(data),
      context: null,
      idempotencyKey: null,
      deliveries: chosen.targets.map((t) => ({
        id: newId("dlv"),
        hookId: t.hookId,
        target: t.target,
        inLine: t.inLine,
      })),
      filteredHooks: chosen.filteredHooks,
    };
  });
  await insertEvents(tx, rows);
}

async function workspaceExists(tx: Transaction<Database>, id: string): Promise<boolean> {
  const row = await tx.selectFrom("workspaces").select("id").where("id", "=", id).executeTakeFirst();
  return row !== undefined;
}

/**
 * The live hooks of these workspaces that subscribe to something under `hookrun.` (only those can:
 * `*` does not cover operational events, see hook-rules.ts covers).
 */
async function subscribedToOperational(tx: Transaction<Database>, workspaces: string[]): Promise<Hook[]> {
  const rows = await tx
    .selectFrom("hooks")
    .selectAll()
    .where("workspace_id", "in", workspaces)
    .where("enabled", "=", true)
    .where("deleted_at", "is", null)
    .where(
      sql<boolean>`exists (select 1 from jsonb_array_elements_text(events) as s where lower(s) like ${`${OPERATIONAL_PREFIX}%`})`,
    )
    .execute();
  return rows.map(parseHookRow);
}
