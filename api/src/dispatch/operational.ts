// The worker's side of operational events (services/operational-events.ts): which of a batch's
// attempts ended their delivery for good, why, and what each event says about its delivery. record.ts
// calls these only for a batch that changes something, inside the transaction that writes it.
import { shouldGiveUp } from "@hookrun/runtime";
import { sql, type Transaction } from "kysely";
import type { Database } from "../db/schema";
import type { OperationalSubject } from "../services/operational-events";
import { isOperationalEventType } from "../services/operational-types";
import { gone } from "./attempt";
import type { Finished } from "./deliver";
import type { Attempted, DeliveryUpdate } from "./next-step";

/** The attempted delivery as it stands after its attempt. */
export function subjectOf({ hook, delivery, eventType, record }: Attempted): OperationalSubject {
  return {
    hook,
    delivery: {
      id: delivery.id,
      eventId: delivery.event_id,
      eventType,
      target: delivery.target,
      attempts: delivery.attempts + 1,
      lastOutcome: record.outcome,
    },
  };
}

/**
 * The batch's attempts that end their delivery "failed" (next-step.ts decided `updates`, one per
 * finished delivery in order), leaving out deliveries of operational events: those report nothing.
 */
export function exhaustedBy(finished: Finished[], updates: DeliveryUpdate[]): Attempted[] {
  return finished.flatMap((f, i) =>
    f.kind === "attempted" && updates[i]?.status === "failed" && !isOperationalEventType(f.eventType)
      ? [f]
      : [],
  );
}

/** Why the attempt ended its delivery, in the order next-step.ts nextStep decides it. */
export function exhaustedReason({ record, delivery, hook }: Attempted): string {
  if (gone(record)) return "the receiver answered 410 Gone";
  if (record.outcome === "blocked" && delivery.last_outcome === "blocked")
    return "the egress guard refused the target twice in a row";
  const attempts = delivery.attempts + 1;
  const max = hook.retry.maxAttempts;
  if (shouldGiveUp(attempts, max)) return `its retries are used up (${attempts} of ${max} attempts)`;
  return "its retry schedule ended";
}

/**
 * Of these exhausted deliveries, those still leased by this worker, locked until the transaction
 * ends: exactly the ones the batch's write fails. Another worker that took over a delivery whose
 * lease ran out attempts it again, so it is not reported exhausted.
 */
export async function stillOurs(
  tx: Transaction<Database>,
  workerId: string,
  exhausted: Attempted[],
): Promise<Attempted[]> {
  if (exhausted.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    select id from deliveries
    where id = any(${exhausted.map((a) => a.delivery.id)}::text[]) and lease_owner = ${workerId}
    order by id
    for update`.execute(tx);
  const ours = new Set(rows.map((r) => r.id));
  return exhausted.filter((a) => ours.has(a.delivery.id));
}
