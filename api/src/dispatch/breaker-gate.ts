// The circuit breaker's gate (admission.ts): a delivery to an open URL waits, parked until the URL
// closes, instead of being tried; to a half-open URL only its probe goes. One indexed query for the
// batch's callback deliveries (none for a batch of function deliveries), and, rarely, one update per
// half-open URL to take its probe.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import type { CircuitState } from "../db/schema";
import type { ClaimedDelivery } from "../queue";
import type { Admission, Candidate, Gate } from "./admission";

/** A URL's row as the gate saw it. */
export interface LineSeen {
  failures: number;
  state: CircuitState;
  probeDeliveryId: string | null;
}

/**
 * What the gate saw of each delivery's URL (null: no row, the URL never failed). The record step
 * reads it so that a success to a URL without a row costs no statement; keyed by the claimed
 * delivery object, which the same delivery's Finished carries, so it is forgotten with the batch.
 */
const seen = new WeakMap<ClaimedDelivery, LineSeen | null>();

/** The URL's row as this delivery's gate saw it; undefined when the gate did not look. */
export function lineSeen(delivery: ClaimedDelivery): LineSeen | null | undefined {
  return seen.get(delivery);
}

/** One key per hook and URL. */
export const lineKey = (hookId: string, url: string) => `${hookId} ${url}`;

const PARKED: Admission = { kind: "wait", why: "circuit_open", until: null };

export const breakerGate: Gate = async (db, candidates) => {
  const decided = new Map<string, Admission>();
  const callbacks = candidates.filter((c) => c.hook.kind === "callback");
  if (callbacks.length === 0) return decided;
  const lines = await loadLines(db, callbacks);
  for (const { delivery, hook } of callbacks) {
    const line = lines.get(lineKey(hook.id, delivery.target)) ?? null;
    seen.set(delivery, line);
    if (!line || line.state === "closed") continue;
    if (line.state === "open") {
      decided.set(delivery.id, PARKED);
      continue;
    }
    // Half-open: the probe goes; when there is none yet, the first delivery to come takes it.
    if (line.probeDeliveryId === null && (await takeProbe(db, hook.id, delivery))) {
      line.probeDeliveryId = delivery.id;
    }
    if (line.probeDeliveryId !== delivery.id) decided.set(delivery.id, PARKED);
  }
  return decided;
};

async function loadLines(db: Db, callbacks: Candidate[]): Promise<Map<string, LineSeen>> {
  const keys = new Map(
    callbacks.map(({ delivery, hook }) => [
      lineKey(hook.id, delivery.target),
      { hookId: hook.id, url: delivery.target },
    ]),
  );
  const pairs = [...keys.values()];
  // Arrays as parameters: the statement's text is the same for any batch.
  const { rows } = await sql<{
    hook_id: string;
    url: string;
    failures: number;
    state: CircuitState;
    probe_delivery_id: string | null;
  }>`
    select hook_id, url, failures, state, probe_delivery_id from url_states
    where (hook_id, url) in (
      select * from unnest(${pairs.map((p) => p.hookId)}::text[], ${pairs.map((p) => p.url)}::text[]))`.execute(
    db,
  );
  return new Map(
    rows.map((r) => [
      lineKey(r.hook_id, r.url),
      { failures: r.failures, state: r.state, probeDeliveryId: r.probe_delivery_id },
    ]),
  );
}

/** Takes the half-open URL's probe for this delivery, unless another delivery took it first. */
async function takeProbe(db: Db, hookId: string, delivery: ClaimedDelivery): Promise<boolean> {
  const taken = await db
    .updateTable("url_states")
    .set({ probe_delivery_id: delivery.id })
    .where("hook_id", "=", hookId)
    .where("url", "=", delivery.target)
    .where("state", "=", "half_open")
    .where("probe_delivery_id", "is", null)
    .returning("hook_id")
    .executeTakeFirst();
  return taken !== undefined;
}
