// /v1/workspaces/{ws}/hooks: both kinds of hook, one resource discriminated by `kind`.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { conflictError, json, jsonBody, listOf, WorkspaceParam } from "../schemas/common";
import { FilterTestBody, FilterTestResult } from "../schemas/filter";
import { HookCreate, HookIdParam, HookPatch, HookView } from "../schemas/hooks";
import type { Store } from "../services/context";
import { testFilter } from "../services/filter-test";
import { createHook, deleteHook, getHook, listHooks, updateHook } from "../services/hooks";

const HookListQuery = z.object({
  kind: z.enum(["callback", "function"]).optional(),
  enabled: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

const route = routesTagged("hooks");

export function hookRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks",
        roles: ["admin", "operator"],
        portal: true,
        summary: "List hooks, newest first",
        request: { params: WorkspaceParam, query: HookListQuery },
        responses: { 200: json(listOf(HookView), "Hooks") },
      }),
      async (c) =>
        c.json({ data: await listHooks(store, c.req.valid("param").ws, c.req.valid("query")) }, 200),
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks",
        roles: ["admin"],
        portal: true,
        summary: "Create a callback or function hook",
        request: { params: WorkspaceParam, ...jsonBody(HookCreate) },
        responses: {
          201: json(HookView, "Created"),
          ...conflictError,
        },
      }),
      async (c) => c.json(unwrap(await createHook(store, c.req.valid("param").ws, c.req.valid("json"))), 201),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}",
        roles: ["admin", "operator"],
        portal: true,
        summary: "Get a hook (secrets masked)",
        request: { params: HookIdParam },
        responses: { 200: json(HookView, "The hook") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await getHook(store, ws, id)), 200);
      },
    )
    .openapi(
      route({
        method: "patch",
        path: "/v1/workspaces/{ws}/hooks/{id}",
        roles: ["admin"],
        portal: true,
        summary: "Change a hook; headers and secrets merge (null removes one)",
        request: { params: HookIdParam, ...jsonBody(HookPatch) },
        responses: {
          200: json(HookView, "Updated"),
          ...conflictError,
        },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await updateHook(store, ws, id, c.req.valid("json"))), 200);
      },
    )
    .openapi(
      route({
        method: "delete",
        path: "/v1/workspaces/{ws}/hooks/{id}",
        roles: ["admin"],
        portal: true,
        summary: "Delete a hook; its pending deliveries are canceled and it receives nothing again",
        request: { params: HookIdParam },
        responses: { 204: { description: "Deleted" } },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        unwrap(await deleteHook(store, ws, id));
        return c.body(null, 204);
      },
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/filter-test",
        // As for /test: the editor's own check while a filter is edited.
        roles: ["admin"],
        portal: true,
        summary: "Does an event match the hook's filter (or `filter`, unsaved)? Nothing is sent or recorded",
        request: { params: HookIdParam, ...jsonBody(FilterTestBody) },
        responses: { 200: json(FilterTestResult, "Whether the event matches") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await testFilter(store, ws, id, c.req.valid("json"))), 200);
      },
    );
}
