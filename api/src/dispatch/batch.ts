// Everything a claimed batch needs beyond what its claim read (the deliveries and their events):
// the hooks, in one query for the whole batch, the live code of function hooks from the versions'
// cache (a version never changes, so a steady load reads code once per version), and, rarely, the
// events the claim's statement could not see yet; and what delivery control's gates decide for each
// delivery that is to be attempted (admission.ts).
import type { Db } from "../db/connect";
import { type Hook, parseHookRow } from "../db/hook";
import type { ClaimedEvent, ClaimedWork } from "../queue";
import { versionCode } from "../services/version-code";
import { type Admission, admit, type Candidate } from "./admission";
import { prefetchLines } from "./breaker-gate";
import { cancelReason } from "./deliver";
import type { FunctionCode } from "./run-function";

export interface BatchContext {
  events: Map<string, ClaimedEvent>;
  hooks: Map<string, Hook>;
  /** Live code by hook id, for function hooks that have a live version. */
  code: Map<string, FunctionCode>;
  /** The gates' decisions by delivery id; a delivery without one goes now. */
  admissions: Map<string, Admission>;
}

export async function loadBatch(db: Db, claimed: ClaimedWork[]): Promise<BatchContext> {
  const events = new Map<string, ClaimedEvent>();
  for (const { event } of claimed) if (event) events.set(event.id, event);
  const hookIds = [...new Set(claimed.map((c) => c.delivery.hook_id))];
  if (hookIds.length === 0) return { events, hooks: new Map(), code: new Map(), admissions: new Map() };
  const [rows, late] = await Promise.all([
    db.selectFrom("hooks").selectAll().where("id", "in", hookIds).execute(),
    eventsClaimedUnseen(db, claimed),
    // The breaker's URL states, read for its gate beside the hooks rather than after them.
    prefetchLines(db, claimed),
  ]);
  for (const event of late) events.set(event.id, event);
  const hooks = new Map(rows.map((h) => [h.id, parseHookRow(h)]));
  const code = new Map<string, FunctionCode>();
  await Promise.all(
    [...hooks.values()].map(async (hook) => {
      if (hook.kind !== "function" || hook.live_version === null) return;
      const version = await versionCode(db, hook.id, hook.live_version);
      code.set(hook.id, { versionKey: version.id, code: version.code, sourceMap: version.source_map });
    }),
  );
  const admissions = await admit(db, candidates(claimed, events, hooks));
  return { events, hooks, code, admissions };
}

/** The deliveries deliver() will attempt (their event is there, nothing cancels them), in claim order. */
function candidates(
  claimed: ClaimedWork[],
  events: Map<string, ClaimedEvent>,
  hooks: Map<string, Hook>,
): Candidate[] {
  const list: Candidate[] = [];
  for (const { delivery } of claimed) {
    const hook = hooks.get(delivery.hook_id);
    if (hook && events.has(delivery.event_id) && cancelReason(hook, delivery) === null)
      list.push({ delivery, hook });
  }
  return list;
}

/**
 * The events the claim's statement did not see. The claim function runs its update under a
 * snapshot of its own, taken after the statement's: a delivery committed in between is claimed
 * while its event (committed with it) is not yet visible to the statement's join. Read again here
 * (rare, and a new snapshot), so such a delivery is not canceled as if its event were gone.
 */
async function eventsClaimedUnseen(db: Db, claimed: ClaimedWork[]): Promise<ClaimedEvent[]> {
  const unseen = claimed.filter((c) => c.event === null).map((c) => c.delivery.event_id);
  if (unseen.length === 0) return [];
  return db
    .selectFrom("events")
    .select(["id", "workspace_id", "type", "data", "context", "created_at"])
    .where("id", "in", unseen)
    .execute();
}
