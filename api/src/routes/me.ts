// GET /v1/me: who the presented key is. The editor signs in with it (role, and the workspace of a
// workspace key); any valid key may ask.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, createRouter } from "../http/router";
import { commonErrors, json } from "../schemas/common";

const Me = z
  .object({
    role: z.enum(["root", "admin", "operator", "ingest"]),
    workspaceId: z.string().nullable().openapi({ description: "null for the root key" }),
  })
  .openapi("Me");

export function meRoutes() {
  return createRouter().openapi(
    createRoute({
      method: "get",
      path: "/v1/me",
      tags: ["keys"],
      security: bearerSecurity,
      summary: "The role (and workspace) of the key making the request",
      responses: { 200: json(Me, "The key's role and workspace"), ...commonErrors },
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
