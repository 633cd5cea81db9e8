// Unauthenticated service endpoints: metrics, liveness, readiness, and the editor UI at `/`.
import { z } from "@hono/zod-openapi";
import { type Db, pingDatabase } from "../db/connect";
import { EDITOR_CSP, type EditorAssets, portalCsp } from "../editor/assets";
import { ApiError } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import type { Metrics } from "../observability/metrics";
import { json } from "../schemas/common";

const Status = z.object({ status: z.string(), reason: z.string().optional() });
const route = routesTagged("service");
/** esbuild's `[name]-[hash]` file names: safe to cache for ever. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/** The headers of the editor's page, under the given Content Security Policy. */
const pageHeaders = (csp: string) => ({
  "Content-Security-Policy": csp,
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
});

export function serviceRoutes(
  db: Db,
  metrics: Metrics,
  editor: EditorAssets,
  portalOrigins: readonly string[],
) {
  const portalPolicy = portalCsp(portalOrigins);
  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/metrics",
        roles: "public",
        summary: "Prometheus metrics of this process (and the database-wide queue gauges)",
        responses: {
          200: { content: { "text/plain": { schema: z.string() } }, description: "Prometheus text format" },
        },
      }),
      async (c) =>
        c.text(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType }),
    )
    .openapi(
      route({
        method: "get",
        path: "/",
        roles: "public",
        summary: "The editor UI (sign in with an API key)",
        responses: {
          200: { content: { "text/html": { schema: z.string() } }, description: "The editor's page" },
        },
      }),
      // X-Frame-Options too, for browsers that ignore frame-ancestors; it cannot name origins, so
      // the portal's page goes without it.
      (c) => c.html(editor.page, 200, { ...pageHeaders(EDITOR_CSP), "X-Frame-Options": "DENY" }),
    )
    .openapi(
      route({
        method: "get",
        path: "/portal",
        roles: "public",
        summary:
          "The editor in portal mode: opens a portal session's link (#token=…); only the origins of HOOKRUN_PORTAL_ORIGINS may frame it",
        responses: {
          200: { content: { "text/html": { schema: z.string() } }, description: "The editor's page" },
        },
      }),
      (c) => c.html(editor.page, 200, pageHeaders(portalPolicy)),
    )
    .openapi(
      route({
        method: "get",
        path: "/healthz",
        roles: "public",
        summary: "Liveness: the process answers",
        responses: { 200: json(Status, "Alive") },
      }),
      (c) => c.json({ status: "ok" }, 200),
    )
    .openapi(
      route({
        method: "get",
        path: "/readyz",
        roles: "public",
        summary: "Readiness: the database answers",
        responses: { 200: json(Status, "Ready"), 503: json(Status, "The database is unreachable") },
      }),
      async (c) =>
        (await pingDatabase(db))
          ? c.json({ status: "ready" }, 200)
          : c.json({ status: "unavailable", reason: "database unreachable" }, 503),
    )
    .get("/assets/*", (c) => {
      const asset = editor.files.get(c.req.path.slice("/assets/".length));
      if (!asset) throw new ApiError(404, "not_found", `no asset ${c.req.path}`);
      const gzipped = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "") ? asset.gzipped() : null;
      const headers: Record<string, string> = {
        "Content-Type": asset.contentType,
        "X-Content-Type-Options": "nosniff",
        Vary: "Accept-Encoding",
        // File names carry a content hash (see scripts/build.mjs), except the fixed entry points.
        "Cache-Control": HASHED_NAME.test(c.req.path) ? "public, max-age=31536000, immutable" : "no-cache",
      };
      if (gzipped) headers["Content-Encoding"] = "gzip";
      return c.body((gzipped ?? asset.body) as Uint8Array<ArrayBuffer>, 200, headers);
    });
}
