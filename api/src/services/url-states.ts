// Each callback URL's circuit breaker as a hook's view shows it (urlStates), from the rows the
// worker's breaker writes (dispatch/breaker.ts) and the hook's 410-disabled URLs. A URL without a
// row never failed: closed, since null.

import type { Db } from "../db/connect";
import type { CallbackHook } from "../db/hook";
import type { UrlStateRow } from "../db/schema";
import type { UrlStateValue } from "../schemas/hooks";

/** The breaker rows of these hooks, by hook id; one query (none for no hooks). */
export async function loadUrlStates(db: Db, hookIds: string[]): Promise<Map<string, UrlStateRow[]>> {
  const byHook = new Map<string, UrlStateRow[]>();
  if (hookIds.length === 0) return byHook;
  const rows = await db.selectFrom("url_states").selectAll().where("hook_id", "in", hookIds).execute();
  for (const row of rows) {
    const list = byHook.get(row.hook_id);
    if (list) list.push(row);
    else byHook.set(row.hook_id, [row]);
  }
  return byHook;
}

export function presentUrlStates(hook: CallbackHook, rows: UrlStateRow[]): UrlStateValue[] {
  const byUrl = new Map(rows.map((r) => [r.url, r]));
  return hook.urls.map((url) => {
    const disabled = hook.disabled_urls.find((d) => d.url === url);
    if (disabled) return { url, state: "disabled", since: disabled.at, nextProbeAt: null };
    const row = byUrl.get(url);
    return {
      url,
      state: row?.state ?? "closed",
      since: row?.since?.toISOString() ?? null,
      nextProbeAt: row?.next_probe_at?.toISOString() ?? null,
    };
  });
}
