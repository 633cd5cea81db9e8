// /v1/workspaces/{ws}/event-types: the catalog of events hooks can subscribe to.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { conflictError, Description, json, jsonBody, listOf, WorkspaceParam } from "../schemas/common";
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
    builtIn: z.boolean().openapi({
      description:
        "hookrun's own operational event type (`hookrun.*`): in every workspace, read-only, emitted by hookrun",
    }),
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

const route = routesTagged("event types");

export function eventTypeRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/event-types",
        roles: ["admin", "operator"],
        portal: true,
        summary: "List event types by name",
        request: { params: WorkspaceParam },
        responses: { 200: json(listOf(EventType), "The catalog") },
      }),
      async (c) => c.json({ data: await listEventTypes(store.db, c.req.valid("param").ws) }, 200),
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/event-types",
        roles: ["admin"],
        summary: "Add an event type",
        request: { params: WorkspaceParam, ...jsonBody(EventTypeCreate) },
        responses: {
          201: json(EventType, "Created"),
          ...conflictError,
        },
      }),
      async (c) =>
        c.json(
          unwrap(await createEventType(store.db, c.req.valid("param").ws, c.req.valid("json"), store.cache)),
          201,
        ),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/event-types/{name}",
        roles: ["admin", "operator"],
        portal: true,
        summary: "Get an event type",
        request: { params: NameParam },
        responses: { 200: json(EventType, "The event type") },
      }),
      async (c) => {
        const { ws, name } = c.req.valid("param");
        return c.json(unwrap(await getEventType(store.db, ws, name)), 200);
      },
    )
    .openapi(
      route({
        method: "patch",
        path: "/v1/workspaces/{ws}/event-types/{name}",
        roles: ["admin"],
        summary: "Change an event type's description, schema or example",
        request: { params: NameParam, ...jsonBody(EventTypePatch) },
        responses: { 200: json(EventType, "Updated") },
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
      route({
        method: "delete",
        path: "/v1/workspaces/{ws}/event-types/{name}",
        roles: ["admin"],
        summary: "Delete an event type no hook subscribes to by name",
        request: { params: NameParam },
        responses: { 204: { description: "Deleted" }, ...conflictError },
      }),
      async (c) => {
        const { ws, name } = c.req.valid("param");
        unwrap(await deleteEventType(store.db, ws, name, store.cache));
        return c.body(null, 204);
      },
    );
}
