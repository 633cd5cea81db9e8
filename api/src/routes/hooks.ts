// /v1/workspaces/{ws}/hooks: both kinds of hook, one resource discriminated by `kind`.
import { createRoute, z } from "@hono/zod-openapi";
import { allow } from "../http/auth";
import { unwrap } from "../http/errors";
import { bearerSecurity, createRouter } from "../http/router";
import {
  commonErrors,
  conflictError,
  invalidError,
  json,
  jsonBody,
  listOf,
  notFoundError,
  WorkspaceParam,
} from "../schemas/common";
import { HookCreate, HookIdParam, HookPatch, HookView } from "../schemas/hooks";
import type { Store } from "../services/context";
import { createHook, deleteHook, getHook, listHooks, updateHook } from "../services/hooks";

const HookListQuery = z.object({
  kind: z.enum(["callback", "function"]).optional(),
  enabled: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

const tags = ["hooks"];
const readers = allow("admin", "operator");
const writers = allow("admin");

export function hookRoutes(store: Store) {
  return createRouter()
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks",
        tags,
        middleware: readers,
        security: bearerSecurity,
        summary: "List hooks, newest first",
        request: { params: WorkspaceParam, query: HookListQuery },
        responses: { 200: json(listOf(HookView), "Hooks"), ...commonErrors, ...notFoundError },
      }),
      async (c) =>
        c.json({ data: await listHooks(store, c.req.valid("param").ws, c.req.valid("query")) }, 200),
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Create a callback or function hook",
        request: { params: WorkspaceParam, ...jsonBody(HookCreate) },
        responses: {
          201: json(HookView, "Created"),
          ...commonErrors,
          ...notFoundError,
          ...conflictError,
          ...invalidError,
        },
      }),
      async (c) => c.json(unwrap(await createHook(store, c.req.valid("param").ws, c.req.valid("json"))), 201),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}",
        tags,
        middleware: readers,
        security: bearerSecurity,
        summary: "Get a hook (secrets masked)",
        request: { params: HookIdParam },
        responses: { 200: json(HookView, "The hook"), ...commonErrors, ...notFoundError },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await getHook(store, ws, id)), 200);
      },
    )
    .openapi(
      createRoute({
        method: "patch",
        path: "/v1/workspaces/{ws}/hooks/{id}",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Change a hook; headers and secrets merge (null removes one)",
        request: { params: HookIdParam, ...jsonBody(HookPatch) },
        responses: {
          200: json(HookView, "Updated"),
          ...commonErrors,
          ...notFoundError,
          ...conflictError,
          ...invalidError,
        },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await updateHook(store, ws, id, c.req.valid("json"))), 200);
      },
    )
    .openapi(
      createRoute({
        method: "delete",
        path: "/v1/workspaces/{ws}/hooks/{id}",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Delete a hook; its pending deliveries are canceled and it receives nothing again",
        request: { params: HookIdParam },
        responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        unwrap(await deleteHook(store, ws, id));
        return c.body(null, 204);
      },
    );
}
