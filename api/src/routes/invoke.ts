// Running a hook by hand: POST .../hooks/{id}/invoke and .../hooks/{id}/test.
import { createRoute } from "@hono/zod-openapi";
import { allow } from "../http/auth";
import { unwrap } from "../http/errors";
import { bearerSecurity, createRouter } from "../http/router";
import { commonErrors, invalidError, json, jsonBody, notFoundError } from "../schemas/common";
import { HookIdParam } from "../schemas/hooks";
import { InvokeBody, RunResult, TestBody } from "../schemas/invoke";
import { invokeHook, type RunnerDeps, testHook } from "../services/invoke";

const tags = ["hooks"];
const errors = { ...commonErrors, ...notFoundError, ...invalidError };

export function invokeRoutes(deps: RunnerDeps) {
  return createRouter()
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/invoke",
        tags,
        middleware: allow("admin", "ingest"),
        security: bearerSecurity,
        summary: "Run a function's live version now and answer with its result (logged, not retried)",
        request: { params: HookIdParam, ...jsonBody(InvokeBody) },
        responses: { 200: json(RunResult, "What the function did"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await invokeHook(deps, ws, id, c.req.valid("json"))), 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/test",
        tags,
        middleware: allow("admin"),
        security: bearerSecurity,
        summary: "Run the draft (or `source`) on a sample event, or send one real callback request",
        request: { params: HookIdParam, ...jsonBody(TestBody) },
        responses: { 200: json(RunResult, "The full result; nothing is retried or logged"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await testHook(deps, ws, id, c.req.valid("json"))), 200);
      },
    );
}
