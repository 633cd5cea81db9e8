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
      const ws = principal.workspaceId;
      const read = async () => {
        const workspace = await getWorkspace(store.db, ws);
        return workspace.ok ? workspace.value.name : undefined;
      };
      // Renames go through changeCatalog, which drops the cached name in every process.
      const name = await (store.cache ? store.cache.workspaceName(ws, read) : read());
      return c.json(
        {
          role: principal.role,
          workspaceId: ws,
          // A key lives only as long as its workspace; a race with its deletion answers the id.
          workspaceName: name ?? ws,
        },
        200,
      );
    },
  );
}
