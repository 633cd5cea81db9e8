// Activity over time for the editor's charts, one call per chart: a hook's, the workspace's (with the
// hooks failing most), and every hook's success-rate series for the hook list. Operators read them.
import type { Db } from "../db/connect";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { Activity, ActivityQuery, HookSparklines, WorkspaceActivity } from "../schemas/activity";
import { json, WorkspaceParam } from "../schemas/common";
import { HookIdParam } from "../schemas/hooks";
import { hookActivity, workspaceActivity } from "../services/activity";
import { hookSparklines } from "../services/hook-sparklines";

const route = routesTagged("activity");

export function activityRoutes(db: Db) {
  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/activity",
        roles: ["admin", "operator"],
        portal: true,
        summary:
          "The workspace's attempts over time (by outcome, p50/p95 duration) and the hooks failing most",
        request: { params: WorkspaceParam, query: ActivityQuery },
        responses: { 200: json(WorkspaceActivity, "The workspace's activity") },
      }),
      async (c) => {
        const { ws } = c.req.valid("param");
        return c.json(await workspaceActivity(db, ws, c.req.valid("query").window), 200);
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/activity/hooks",
        roles: ["admin", "operator"],
        portal: true,
        summary: "Every hook's success rate over time, for the hook list's sparklines",
        request: { params: WorkspaceParam, query: ActivityQuery },
        responses: { 200: json(HookSparklines, "Each hook's series") },
      }),
      async (c) => {
        const { ws } = c.req.valid("param");
        return c.json(await hookSparklines(db, ws, c.req.valid("query").window), 200);
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}/activity",
        roles: ["admin", "operator"],
        portal: true,
        summary: "A hook's attempts over time: counts by outcome and p50/p95 duration per time bucket",
        request: { params: HookIdParam, query: ActivityQuery },
        responses: { 200: json(Activity, "The hook's activity") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await hookActivity(db, ws, id, c.req.valid("query").window)), 200);
      },
    );
}
