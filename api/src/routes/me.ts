// GET /v1/me: who the presented key is. The editor signs in with it (role, and the workspace of a
// workspace key, with its name: such a key cannot read /v1/workspaces); any valid key may ask.
import { z } from "@hono/zod-openapi";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json } from "../schemas/common";
import type { Store } from "../services/context";
import { getWorkspace } from "../services/workspaces";

const Me = z
  .object({
    role: z.enum(["root", "admin", "operator", "ingest"]),
    workspaceId: z.string().nullable().openapi({ description: "null for the root key" }),
    workspaceName: z.string().nullable().openapi({ description: "null for the root key" }),
  })
  .openapi("Me");

const route = routesTagged("keys");

export function meRoutes(store: Store) {
  return createRouter().openapi(
    route({
      method: "get",
      path: "/v1/me",
      roles: "any key",
      portal: true,
      summary: "The role (and workspace) of the key making the request",
      responses: { 200: json(Me, "The key's role and workspace") },
    }),
    async (c) => {
      const principal = c.get("principal");
      if (principal.role === "root") {
        return c.json({ role: principal.role, workspaceId: null, workspaceName: null }, 200);
      }
      const workspace = await getWorkspace(store.db, principal.workspaceId);
      return c.json(
        {
          role: principal.role,
          workspaceId: principal.workspaceId,
          // A key lives only as long as its workspace; a race with its deletion answers the id.
          workspaceName: workspace.ok ? workspace.value.name : principal.workspaceId,
        },
        200,
      );
    },
  );
}
