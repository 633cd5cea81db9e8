// GET /v1/me: who the presented key is. The editor signs in with it (role, and the workspace of a
// workspace key); any valid key may ask.
import { z } from "@hono/zod-openapi";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json } from "../schemas/common";

const Me = z
  .object({
    role: z.enum(["root", "admin", "operator", "ingest"]),
    workspaceId: z.string().nullable().openapi({ description: "null for the root key" }),
  })
  .openapi("Me");

const route = routesTagged("keys");

export function meRoutes() {
  return createRouter().openapi(
    route({
      method: "get",
      path: "/v1/me",
      roles: "any key",
      summary: "The role (and workspace) of the key making the request",
      responses: { 200: json(Me, "The key's role and workspace") },
    }),
    (c) => {
      const principal = c.get("principal");
      return c.json(
        {
          role: principal.role,
          workspaceId: principal.role === "root" ? null : principal.workspaceId,
        },
        200,
      );
    },
  );
}
