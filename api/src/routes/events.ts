// /v1/workspaces/{ws}/events: the platform posts events here; operators read them back.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import type { Metrics } from "../observability/metrics";
import {
  conflictError,
  Instant,
  json,
  jsonBody,
  PageQuery,
  pageOf,
  StorableText,
  WorkspaceParam,
} from "../schemas/common";
import { EventIngest, EventView, IngestResponse } from "../schemas/events";
import { getEvent, listEvents } from "../services/events";
import { type IngestStore, ingestEvent } from "../services/ingest";

const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(200).optional().openapi({
    description: "Posting again with the same key answers with the first event and delivers nothing new",
  }),
});
const EventListQuery = PageQuery.extend({
  type: StorableText.max(100).optional(),
  since: Instant.optional(),
  until: Instant.optional(),
});
const EventParam = WorkspaceParam.extend({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const route = routesTagged("events");
const toDate = (value: string | undefined) => (value ? new Date(value) : undefined);

export function eventRoutes(store: IngestStore, metrics: Metrics) {
  return createRouter()
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/events",
        roles: ["admin", "ingest"],
        summary: "Post an event; every subscribed hook gets a delivery",
        request: { params: WorkspaceParam, headers: IdempotencyHeader, ...jsonBody(EventIngest) },
        responses: {
          202: json(IngestResponse, "Accepted: stored, with one delivery per subscribed URL or function"),
          ...conflictError,
        },
      }),
      async (c) => {
        const key = c.req.valid("header")["idempotency-key"];
        const result = unwrap(await ingestEvent(store, c.req.valid("param").ws, c.req.valid("json"), key));
        if (result.replayed) c.header("Idempotent-Replayed", "true");
        metrics.eventsIngested.inc({ outcome: result.replayed ? "replayed" : "accepted" });
        return c.json({ id: result.id, deliveries: result.deliveries }, 202);
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/events",
        roles: ["admin", "operator"],
        portal: true,
        summary: "List events with their deliveries, newest first",
        request: { params: WorkspaceParam, query: EventListQuery },
        responses: { 200: json(pageOf(EventView), "A page of events") },
      }),
      async (c) => {
        const q = c.req.valid("query");
        const filter = { ...q, since: toDate(q.since), until: toDate(q.until) };
        return c.json(unwrap(await listEvents(store.db, c.req.valid("param").ws, filter)), 200);
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/events/{id}",
        roles: ["admin", "operator"],
        portal: true,
        summary: "One event with its deliveries",
        request: { params: EventParam },
        responses: { 200: json(EventView, "The event") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await getEvent(store.db, ws, id)), 200);
      },
    );
}
