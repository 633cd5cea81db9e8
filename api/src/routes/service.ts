// Unauthenticated service endpoints: metrics, liveness, readiness, and an index pointing at the docs.
import { createRoute, z } from "@hono/zod-openapi";
import { type Db, pingDatabase } from "../db/connect";
import { createRouter } from "../http/router";
import type { Metrics } from "../observability/metrics";
import { json } from "../schemas/common";

const Status = z.object({ status: z.string(), reason: z.string().optional() });
const tags = ["service"];

export function serviceRoutes(db: Db, version: string, metrics: Metrics) {
  return createRouter()
    .openapi(
      createRoute({
        method: "get",
        path: "/metrics",
        tags,
        summary: "Prometheus metrics of this process (and the database-wide queue gauges)",
        responses: {
          200: { content: { "text/plain": { schema: z.string() } }, description: "Prometheus text format" },
        },
      }),
      async (c) =>
        c.text(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType }),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/",
        tags,
        summary: "What this is and where the API is described",
        responses: {
          200: json(
            z.object({ name: z.literal("hookrun"), version: z.string(), openapi: z.string() }),
            "Index",
          ),
        },
      }),
      (c) => c.json({ name: "hookrun" as const, version, openapi: "/openapi.json" }, 200),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/healthz",
        tags,
        summary: "Liveness: the process answers",
        responses: { 200: json(Status, "Alive") },
      }),
      (c) => c.json({ status: "ok" }, 200),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/readyz",
        tags,
        summary: "Readiness: the database answers",
        responses: { 200: json(Status, "Ready"), 503: json(Status, "The database is unreachable") },
      }),
      async (c) =>
        (await pingDatabase(db))
          ? c.json({ status: "ready" }, 200)
          : c.json({ status: "unavailable", reason: "database unreachable" }, 503),
    );
}
