// createApp(deps): the one place where middleware, routes, the error envelope and OpenAPI meet.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { EgressOptions, FunctionRuntime } from "@hookrun/runtime";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { requestId } from "hono/request-id";
import type { Db, OpenedDatabase } from "./db/connect";
import { loadEditorAssets } from "./editor/assets";
import { authentication, workspaceAccess } from "./http/auth";
import type { AppEnv } from "./http/env";
import { ApiError, errorResponse, toApiError } from "./http/errors";
import { jsonLimits } from "./http/json-limits";
import type { Logger } from "./observability/logger";
import type { Metrics } from "./observability/metrics";
import { activityRoutes } from "./routes/activity";
import { apiKeyRoutes } from "./routes/api-keys";
import { deliveryRoutes } from "./routes/deliveries";
import { eventTypeRoutes } from "./routes/event-types";
import { eventRoutes } from "./routes/events";
import { functionRoutes } from "./routes/functions";
import { hookStatsRoutes } from "./routes/hook-stats";
import { hookRoutes } from "./routes/hooks";
import { invokeRoutes } from "./routes/invoke";
import { type LogRouteDeps, logRoutes } from "./routes/logs";
import { meRoutes } from "./routes/me";
import { portalSessionRoutes } from "./routes/portal-sessions";
import { serviceRoutes } from "./routes/service";
import { signingSecretRoutes } from "./routes/signing-secrets";
import { workspaceRoutes } from "./routes/workspaces";
import type { SecretBox } from "./security/secret-box";
import { EventWriter } from "./services/event-writer";
import type { HotCache } from "./services/hot-cache";

export interface AppDeps {
  db: Db;
  box: SecretBox;
  /** Runs functions for invoke and test. */
  runtime: FunctionRuntime;
  /** The egress guard's options, for test requests of callback hooks. */
  egress: EgressOptions;
  /** Hash of HOOKRUN_ROOT_KEY when one is configured; generated root keys live in the database. */
  rootKeyHash?: string | undefined;
  /** Largest event body (HOOKRUN_MAX_EVENT_BYTES); other API bodies may be up to 1 MiB. */
  maxEventBytes?: number;
  /** LISTEN for the logs' live tail (and nothing else in the API process). */
  listen: OpenedDatabase["listen"];
  /** The live tail's shared listener and timings; tests tune them, production keeps the defaults. */
  logTail?: LogRouteDeps["tail"];
  logger: Logger;
  metrics: Metrics;
  version?: string;
  /** The built editor (dist/editor); without it `/` explains how to build it. */
  editorDir?: string | undefined;
  /** Started key and catalog cache (serve passes one); without it every request reads the database. */
  cache?: HotCache | undefined;
  /** HOOKRUN_PUBLIC_URL (portal links point there) and HOOKRUN_PORTAL_ORIGINS (may frame /portal). */
  portal?: { publicUrl: string; origins: readonly string[] };
  /** The time portal sessions are made and expire by; tests move it. */
  clock?: () => Date;
}

/** Where the API answers without a key: the exchange of a portal link's token. */
const PUBLIC_API_PATHS = ["/v1/portal/exchange"];

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: AppDeps) {
  const store = {
    db: deps.db,
    box: deps.box,
    cache: deps.cache,
    events: new EventWriter(deps.db),
    egress: deps.egress,
  };
  const maxEventBytes = deps.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;

  const app = new OpenAPIHono<AppEnv>();
  app.use(
    requestId({
      generator: () => crypto.randomUUID(),
      // A caller's own id is kept only when it is short and plain, so it is safe in logs and headers.
      limitLength: 128,
    }),
  );
  app.use(async (c, next) => {
    const given = c.req.header("x-request-id");
    if (given && !REQUEST_ID.test(given)) c.set("requestId", crypto.randomUUID());
    const started = performance.now();
    await next();
    c.header("X-Request-Id", c.get("requestId"));
    observeRequest(deps, c, (performance.now() - started) / 1000);
  });
  app.onError((error, c) =>
    errorResponse(
      c,
      toApiError(error, (message, err) => deps.logger.error({ err, requestId: c.get("requestId") }, message)),
    ),
  );
  app.notFound((c) =>
    errorResponse(c, new ApiError(404, "not_found", `no route for ${c.req.method} ${c.req.path}`)),
  );

  app.on("POST", "/v1/workspaces/:ws/events", limitBody(maxEventBytes));
  app.use("/v1/*", limitBody(Math.max(MAX_BODY_BYTES, maxEventBytes)));
  const clock = deps.clock ?? (() => new Date());
  app.use("/v1/*", except(PUBLIC_API_PATHS, authentication(deps.db, deps.rootKeyHash, deps.cache, clock)));
  app.use("/v1/workspaces/:ws/*", workspaceAccess(deps.db));
  app.use("/v1/*", jsonLimits());

  const version = deps.version ?? "0.1.0";
  const routes = app
    .route(
      "/",
      serviceRoutes(deps.db, deps.metrics, loadEditorAssets(deps.editorDir), deps.portal?.origins ?? []),
    )
    .route("/", meRoutes(store))
    .route("/", workspaceRoutes(store))
    .route("/", apiKeyRoutes(store))
    .route(
      "/",
      portalSessionRoutes({
        ...store,
        portal: { publicUrl: deps.portal?.publicUrl ?? "http://127.0.0.1:8787", now: clock },
      }),
    )
    .route("/", eventTypeRoutes(store))
    .route("/", hookRoutes(store))
    .route("/", functionRoutes(store))
    .route("/", signingSecretRoutes(store))
    .route("/", eventRoutes(store, deps.metrics))
    .route("/", deliveryRoutes(store))
    .route("/", invokeRoutes({ ...store, runtime: deps.runtime, egress: deps.egress }))
    .route(
      "/",
      logRoutes({
        db: deps.db,
        listen: deps.listen,
        tail: deps.logTail,
        log: (message, err) => deps.logger.error({ err }, message),
      }),
    )
    .route("/", hookStatsRoutes(deps.db))
    .route("/", activityRoutes(deps.db));

  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", {
    type: "http",
    scheme: "bearer",
    description:
      "An API key: the root key, or a workspace key with role admin, operator or ingest. Each " +
      "operation's Bearer requirement lists the roles that may call it (an empty list: any valid key).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "Portal", {
    type: "http",
    scheme: "bearer",
    description:
      "A portal session credential (`hrp_…`, from POST /v1/portal/exchange), sent as a Bearer like a " +
      "key. It acts in its session's workspace with its role (admin or operator); an operation lists " +
      "the session roles that may call it (an empty list: any). Operations without this requirement " +
      "refuse it (API keys, portal sessions, root routes).",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "hookrun",
      version,
      description:
        "Callback and function hooks for a platform's events. Every error has the shape of `Error`.",
    },
  });
  return routes;
}

/** One access-log line and one histogram sample per request; the route pattern keeps labels bounded. */
function observeRequest(deps: AppDeps, c: Context<AppEnv>, seconds: number): void {
  const route = c.req.routePath;
  const status = c.res.status;
  deps.metrics.httpRequests.observe({ method: c.req.method, route, status: String(status) }, seconds);
  deps.logger.info(
    {
      requestId: c.get("requestId"),
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      ms: Math.round(seconds * 1000),
    },
    "request",
  );
}

/**
 * 413 above `maxSize`. A declared Content-Length is checked without touching the body: reading
 * `raw.body` makes the Node adapter build a web stream for it, a large share of ingest's cost. A
 * body without one (chunked) is counted as it is read.
 */
function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => {
    throw new ApiError(413, "payload_too_large", `the request body exceeds ${maxSize} bytes`);
  };
  const counted = bodyLimit({ maxSize, onError: tooLarge });
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) return counted(c, next);
    if (Number(length) > maxSize) tooLarge();
    return next();
  };
}

export type AppType = ReturnType<typeof createApp>;
