// /v1/workspaces/{ws}/event-types: the catalog of events hooks can subscribe to.
import { createRoute, z } from "@hono/zod-openapi";
import { allow } from "../http/auth";
import { unwrap } from "../http/errors";
import { bearerSecurity, createRouter } from "../http/router";
import {
  commonErrors,
  conflictError,
  Description,
  invalidError,
  json,
  jsonBody,
  listOf,
  notFoundError,
  WorkspaceParam,
} from "../schemas/common";
import { EventTypeName } from "../schemas/hooks";
import type { Store } from "../services/context";
import {
  createEventType,
  deleteEventType,
  getEventType,
  listEventTypes,
  updateEventType,
} from "../services/event-types";

const JsonSchema = z
  .record(z.string(), z.unknown())
  .openapi({ description: "A JSON Schema (draft-07) for `data`" });
const EventType = z
  .object({
    name: z.string(),
    description: z.string(),
    schema: JsonSchema.nullable(),
    example: z.unknown().openapi({ description: "An example `data` payload" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("EventType");
const EventTypeCreate = z.strictObject({
  name: EventTypeName.openapi({ example: "insight.created" }),
  description: Description.optional(),
  schema: JsonSchema.nullable().optional(),
  example: z.unknown().optional(),
});
const EventTypePatch = EventTypeCreate.omit({ name: true });
const NameParam = WorkspaceParam.extend({
  name: EventTypeName.openapi({ param: { name: "name", in: "path" } }),
});

const tags = ["event types"];
const readers = allow("admin", "operator");
const writers = allow("admin");

export function eventTypeRoutes(store: Store) {
  return createRouter()
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}/event-types",
        tags,
        middleware: readers,
        security: bearerSecurity,
        summary: "List event types by name",
        request: { params: WorkspaceParam },
        responses: { 200: json(listOf(EventType), "The catalog"), ...commonErrors, ...notFoundError },
      }),
      async (c) => c.json({ data: await listEventTypes(store.db, c.req.valid("param").ws) }, 200),
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/event-types",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Add an event type",
        request: { params: WorkspaceParam, ...jsonBody(EventTypeCreate) },
        responses: {
          201: json(EventType, "Created"),
          ...commonErrors,
          ...notFoundError,
          ...conflictError,
          ...invalidError,
        },
      }),
      async (c) =>
        c.json(
          unwrap(await createEventType(store.db, c.req.valid("param").ws, c.req.valid("json"), store.cache)),
          201,
        ),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}/event-types/{name}",
        tags,
        middleware: readers,
        security: bearerSecurity,
        summary: "Get an event type",
        request: { params: NameParam },
        responses: { 200: json(EventType, "The event type"), ...commonErrors, ...notFoundError },
      }),
      async (c) => {
        const { ws, name } = c.req.valid("param");
        return c.json(unwrap(await getEventType(store.db, ws, name)), 200);
      },
    )
    .openapi(
      createRoute({
        method: "patch",
        path: "/v1/workspaces/{ws}/event-types/{name}",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Change an event type's description, schema or example",
        request: { params: NameParam, ...jsonBody(EventTypePatch) },
        responses: { 200: json(EventType, "Updated"), ...commonErrors, ...notFoundError, ...invalidError },
      }),
      async (c) => {
        const { ws, name } = c.req.valid("param");
        return c.json(
          unwrap(await updateEventType(store.db, ws, name, c.req.valid("json"), store.cache)),
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: "delete",
        path: "/v1/workspaces/{ws}/event-types/{name}",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Delete an event type no hook subscribes to by name",
        request: { params: NameParam },
        responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError, ...conflictError },
      }),
      async (c) => {
        const { ws, name } = c.req.valid("param");
        unwrap(await deleteEventType(store.db, ws, name, store.cache));
        return c.body(null, 204);
      },
    );
}
