// /v1/workspaces/{ws}/deliveries and hook replay: operators look at and re-send deliveries.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { conflictError, Instant, json, jsonBody, PageQuery, pageOf, WorkspaceParam } from "../schemas/common";
import { DeliveryStatus, DeliveryView } from "../schemas/events";
import { HookIdParam } from "../schemas/hooks";
import type { Store } from "../services/context";
import { getDelivery, listDeliveries, replayHook, retryDelivery } from "../services/deliveries";

const DeliveryListQuery = PageQuery.extend({
  hookId: z.string().max(64).optional(),
  eventId: z.string().max(64).optional(),
  status: DeliveryStatus.optional(),
});
const DeliveryParam = WorkspaceParam.extend({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const ReplayBody = z.strictObject({
  since: Instant,
  until: Instant.optional().openapi({ description: "Defaults to now" }),
});
const ReplayResult = z
  .object({ events: z.number().int(), deliveries: z.number().int() })
  .openapi("ReplayResult");

const route = routesTagged("deliveries");
const hookRoute = routesTagged("hooks");

export function deliveryRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/deliveries",
        roles: ["admin", "operator"],
        portal: true,
        summary: "List deliveries, newest first",
        request: { params: WorkspaceParam, query: DeliveryListQuery },
        responses: { 200: json(pageOf(DeliveryView), "A page of deliveries") },
      }),
      async (c) =>
        c.json(unwrap(await listDeliveries(store.db, c.req.valid("param").ws, c.req.valid("query"))), 200),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/deliveries/{id}",
        roles: ["admin", "operator"],
        portal: true,
        summary: "One delivery",
        request: { params: DeliveryParam },
        responses: { 200: json(DeliveryView, "The delivery") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await getDelivery(store.db, ws, id)), 200);
      },
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/deliveries/{id}/retry",
        roles: ["admin", "operator"],
        portal: true,
        summary:
          "Attempt a delivery now: a finished one once more, a pending one waiting for its next try at once (409 while a worker is attempting it)",
        request: { params: DeliveryParam },
        responses: {
          202: json(DeliveryView, "Queued"),
          ...conflictError,
        },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await retryDelivery(store.db, ws, id)), 202);
      },
    )
    .openapi(
      hookRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/replay",
        roles: ["admin", "operator"],
        portal: true,
        summary: "Deliver this hook's events of a time range again, as new deliveries",
        request: { params: HookIdParam, ...jsonBody(ReplayBody) },
        responses: { 202: json(ReplayResult, "Queued") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        const body = c.req.valid("json");
        const range = { since: new Date(body.since), until: body.until ? new Date(body.until) : new Date() };
        return c.json(unwrap(await replayHook(store.db, ws, id, range)), 202);
      },
    );
}
