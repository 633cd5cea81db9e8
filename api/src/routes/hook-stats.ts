// /v1/workspaces/{ws}/hooks/{id}/stats: a hook's outcomes and durations over a window, for
// operators (read from the execution log).
import type { Db } from "../db/connect";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json } from "../schemas/common";
import { HookIdParam } from "../schemas/hooks";
import { HookStats, StatsQuery } from "../schemas/logs";
import { hookStats } from "../services/stats";

const route = routesTagged("hooks");

export function hookStatsRoutes(db: Db) {
  return createRouter().openapi(
    route({
      method: "get",
      path: "/v1/workspaces/{ws}/hooks/{id}/stats",
      roles: ["admin", "operator"],
      portal: true,
      summary: "Counts by outcome, success rate, p50/p95 duration and the last failure over a window",
      request: { params: HookIdParam, query: StatsQuery },
      responses: { 200: json(HookStats, "The hook's stats") },
    }),
    async (c) => {
      const { ws, id } = c.req.valid("param");
      return c.json(unwrap(await hookStats(db, ws, id, c.req.valid("query").window)), 200);
    },
  );
}
