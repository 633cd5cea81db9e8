// Everything a claimed batch needs, loaded with three queries for the whole batch rather than
// several per delivery: the events, the hooks, and the live code of function hooks.
import type { Selectable } from "kysely";
import type { Db } from "../db/connect";
import { type Hook, parseHookRow } from "../db/hook";
import type { EventsTable } from "../db/schema";
import type { ClaimedDelivery } from "../queue";
import type { FunctionCode } from "./run-function";

export interface BatchContext {
  events: Map<string, Selectable<EventsTable>>;
  hooks: Map<string, Hook>;
  /** Live code by hook id, for function hooks that have a live version. */
  code: Map<string, FunctionCode>;
}

export async function loadBatch(db: Db, claimed: ClaimedDelivery[]): Promise<BatchContext> {
  const eventIds = [...new Set(claimed.map((d) => d.event_id))];
  const hookIds = [...new Set(claimed.map((d) => d.hook_id))];
  if (claimed.length === 0) return { events: new Map(), hooks: new Map(), code: new Map() };
  const [events, hooks, versions] = await Promise.all([
    db.selectFrom("events").selectAll().where("id", "in", eventIds).execute(),
    db.selectFrom("hooks").selectAll().where("id", "in", hookIds).execute(),
    db
      .selectFrom("function_versions as v")
      .innerJoin("hooks as h", (join) =>
        join.onRef("h.id", "=", "v.hook_id").onRef("h.live_version", "=", "v.version"),
      )
      .select(["v.id", "v.hook_id", "v.code", "v.source_map"])
      .where("h.id", "in", hookIds)
      .execute(),
  ]);
  return {
    events: new Map(events.map((e) => [e.id, e])),
    hooks: new Map(hooks.map((h) => [h.id, parseHookRow(h)])),
    code: new Map(
      versions.map((v) => [v.hook_id, { versionKey: v.id, code: v.code, sourceMap: v.source_map }]),
    ),
  };
}
