// The circuit breaker's gate (admission.ts): a delivery to an open URL waits, parked until the URL
// closes, instead of being tried; to a half-open URL only its probe goes. The states of a claimed
// batch's URLs are read in one indexed query, sent beside the batch's hooks query (prefetchLines,
// called by batch.ts) so it adds no round trip to the batch's start; rarely, one update per
// half-open URL takes its probe.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import type { CircuitState } from "../db/schema";
import { type ClaimedDelivery, type ClaimedWork, FUNCTION_TARGET } from "../queue";
import type { Admission, Gate } from "./admission";

/** A URL's row as the gate saw it. */
export interface LineSeen {
  failures: number;
  state: CircuitState;
  probeDeliveryId: string | null;
}

/**
 * What was read of each claimed delivery's URL (null: no row, the URL never failed): by prefetchLines
 * or, for a delivery it did not see, by the gate. The record step reads it so that a success to a URL
 * without a row costs no statement. Keyed by the claimed delivery object, which the same delivery's
 * Finished carries, so it is forgotten with the batch.
 */
const seen = new WeakMap<ClaimedDelivery, LineSeen | null>();

/** The URL's row as this delivery's gate saw it; undefined when the gate did not look. */
export function lineSeen(delivery: ClaimedDelivery): LineSeen | null | undefined {
  return seen.get(delivery);
}

/** One key per hook and URL. */
export const lineKey = (hookId: string, url: string) => `${hookId} ${url}`;

/**
 * Reads the URL states of a claimed batch's callback deliveries, for the gate to use instead of a
 * query of its own; no statement for a batch of function deliveries. Run beside the batch's hooks
 * query.
 */
export async function prefetchLines(db: Db, claimed: ClaimedWork[]): Promise<void> {
  const pairs = claimed
    .filter(({ delivery }) => delivery.target !== FUNCTION_TARGET)
    .map(({ delivery }) => ({ hookId: delivery.hook_id, url: delivery.target }));
  if (pairs.length === 0) return;
  const lines = await loadLines(db, pairs);
  for (const { delivery } of claimed)
    seen.set(delivery, lines.get(lineKey(delivery.hook_id, delivery.target)) ?? null);
}

const PARKED: Admission = { kind: "wait", why: "circuit_open", until: null };

export const breakerGate: Gate = async (db, candidates) => {
  const decided = new Map<string, Admission>();
  const callbacks = candidates.filter((c) => c.hook.kind === "callback");
  if (callbacks.length === 0) return decided;
  const unread = callbacks.filter((c) => !seen.has(c.delivery));
  const lines =
    unread.length > 0
      ? await loadLines(
          db,
          unread.map(({ delivery, hook }) => ({ hookId: hook.id, url: delivery.target })),
        )
      : new Map<string, LineSeen>();
  for (const { delivery, hook } of callbacks) {
    let line = seen.get(delivery);
    if (line === undefined) {
      line = lines.get(lineKey(hook.id, delivery.target)) ?? null;
      seen.set(delivery, line);
    }
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

async function loadLines(db: Db, lines: { hookId: string; url: string }[]): Promise<Map<string, LineSeen>> {
  const pairs = [...new Map(lines.map((l) => [lineKey(l.hookId, l.url), l])).values()];
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
