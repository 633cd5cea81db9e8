// Delivery control's gates (issue 17): before a claimed batch runs, each delivery that is still to be
// attempted is admitted, admitted at a moment soon (a rate slot), or sent back to wait without an
// attempt (its FIFO line is busy, its URL's breaker is open, its hook's rate is used up). Waiting is
// not an attempt: the delivery keeps its attempt count and last outcome (next-step.ts) and says why
// it waits (deliveries.waiting). Each gate is one module with its own state; this file only runs
// them in order, each seeing the deliveries the ones before it let through.
import type { Db } from "../db/connect";
import type { Hook } from "../db/hook";
import type { DeliveryWaiting } from "../db/schema";
import type { ClaimedDelivery } from "../queue";
import { breakerGate } from "./breaker-gate";
import { fifoGate } from "./fifo";
import { rateLimitGate } from "./rate-limit";

export type Admission =
  /** Attempted now, or not before `notBefore` (a rate slot less than a moment away). */
  | { kind: "go"; notBefore?: Date }
  /** Not attempted: pending again until `until`, or until released (null: a FIFO line, a breaker). */
  | { kind: "wait"; why: DeliveryWaiting; until: Date | null };

/** A claimed delivery that is to be attempted (not canceled), with its hook. */
export interface Candidate {
  delivery: ClaimedDelivery;
  hook: Hook;
}

/**
 * A gate decides for the candidates it is given; a candidate it leaves out of its answer goes on.
 * It costs nothing (no statement) when none of the candidates concerns it.
 */
export type Gate = (db: Db, candidates: Candidate[]) => Promise<Map<string, Admission>>;

/**
 * In order: FIFO first (a delivery that is not its line's head takes no probe and no rate slot),
 * then the breaker (an open URL sends nothing, so it takes no rate slot), then the rate.
 */
const GATES: Gate[] = [fifoGate, breakerGate, rateLimitGate];

export async function admit(db: Db, candidates: Candidate[]): Promise<Map<string, Admission>> {
  const admissions = new Map<string, Admission>();
  let remaining = candidates;
  for (const gate of GATES) {
    if (remaining.length === 0) break;
    const decided = await gate(db, remaining);
    for (const [id, admission] of decided) admissions.set(id, admission);
    remaining = remaining.filter((c) => admissions.get(c.delivery.id)?.kind !== "wait");
  }
  return admissions;
}
