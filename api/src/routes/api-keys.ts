// /v1/workspaces/{ws}/keys: admins create (the key is shown once), list and revoke keys.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json, jsonBody, listOf, Name, WorkspaceParam } from "../schemas/common";
import { createApiKey, listApiKeys, revokeApiKey } from "../services/api-keys";
import type { Store } from "../services/context";

const Role = z.enum(["admin", "operator", "ingest"]);
const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    role: Role,
    prefix: z.string().openapi({ description: "The key's first characters, to recognise it" }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");
const CreatedApiKey = ApiKey.extend({
  key: z.string().openapi({ description: "The key itself. Shown only in this response." }),
}).openapi("CreatedApiKey");
const ApiKeyCreate = z.strictObject({ name: Name.openapi({ example: "backend ingest" }), role: Role });
const KeyParam = WorkspaceParam.extend({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const route = routesTagged("keys");

export function apiKeyRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/keys",
        roles: ["admin"],
        summary: "Create an API key; the response is the only time the key is shown",
        request: { params: WorkspaceParam, ...jsonBody(ApiKeyCreate) },
        responses: { 201: json(CreatedApiKey, "Created") },
      }),
      // The key is shown only in this answer: no cache may keep it.
      async (c) =>
        c.json(await createApiKey(store.db, c.req.valid("param").ws, c.req.valid("json")), 201, {
          "Cache-Control": "no-store",
        }),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/keys",
        roles: ["admin"],
        summary: "List the workspace's keys (never the keys themselves)",
        request: { params: WorkspaceParam },
        responses: { 200: json(listOf(ApiKey), "Keys, newest first") },
      }),
      async (c) => c.json({ data: await listApiKeys(store.db, c.req.valid("param").ws) }, 200),
    )
    .openapi(
      route({
        method: "delete",
        path: "/v1/workspaces/{ws}/keys/{id}",
        roles: ["admin"],
        summary: "Revoke a key; it stops working at once",
        request: { params: KeyParam },
        responses: { 200: json(ApiKey, "Revoked") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await revokeApiKey(store.db, ws, id, store.cache)), 200);
      },
    );
}
