// createApp(deps): the one place where middleware, routes, the error envelope and OpenAPI meet.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { EgressOptions, FunctionRuntime } from "@hookrun/runtime";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { Db } from "./db/connect";
import { authentication, workspaceAccess } from "./http/auth";
import type { AppEnv } from "./http/env";
import { ApiError, errorResponse, toApiError } from "./http/errors";
import { apiKeyRoutes } from "./routes/api-keys";
import { deliveryRoutes } from "./routes/deliveries";
import { eventTypeRoutes } from "./routes/event-types";
import { eventRoutes } from "./routes/events";
import { functionRoutes } from "./routes/functions";
import { hookRoutes } from "./routes/hooks";
import { invokeRoutes } from "./routes/invoke";
import { serviceRoutes } from "./routes/service";
import { workspaceRoutes } from "./routes/workspaces";
import type { SecretBox } from "./security/secret-box";

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
  log?: (message: string, error: unknown) => void;
  version?: string;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: AppDeps) {
  const store = { db: deps.db, box: deps.box };
  const log = deps.log ?? ((message, error) => console.error(message, error));
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
    await next();
    c.header("X-Request-Id", c.get("requestId"));
  });
  app.onError((error, c) => errorResponse(c, toApiError(error, log)));
  app.notFound((c) =>
    errorResponse(c, new ApiError(404, "not_found", `no route for ${c.req.method} ${c.req.path}`)),
  );

  app.on("POST", "/v1/workspaces/:ws/events", limitBody(maxEventBytes));
  app.use("/v1/*", limitBody(Math.max(MAX_BODY_BYTES, maxEventBytes)));
  app.use("/v1/*", authentication(deps.db, deps.rootKeyHash));
  app.use("/v1/workspaces/:ws/*", workspaceAccess(deps.db));

  const version = deps.version ?? "0.1.0";
  const routes = app
    .route("/", serviceRoutes(deps.db, version))
    .route("/", workspaceRoutes(store))
    .route("/", apiKeyRoutes(store))
    .route("/", eventTypeRoutes(store))
    .route("/", hookRoutes(store))
    .route("/", functionRoutes(store))
    .route("/", eventRoutes(store))
    .route("/", deliveryRoutes(store))
    .route("/", invokeRoutes({ ...store, runtime: deps.runtime, egress: deps.egress }));

  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key: the root key, or a workspace key with role admin, operator or ingest",
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

function limitBody(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `the request body exceeds ${maxSize} bytes`);
    },
  });
}

export type AppType = ReturnType<typeof createApp>;
