// Running a hook by hand: POST .../hooks/{id}/invoke and .../hooks/{id}/test.

import { AttemptWriter } from "../dispatch/attempt-writer";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json, jsonBody } from "../schemas/common";
import { HookIdParam } from "../schemas/hooks";
import { InvokeBody, RunResult, TestBody } from "../schemas/invoke";
import { invokeHook, type RunnerDeps, testHook } from "../services/invoke";

const route = routesTagged("hooks");

export function invokeRoutes(setup: Omit<RunnerDeps, "attempts">) {
  const deps: RunnerDeps = { ...setup, attempts: new AttemptWriter(setup.db) };
  return createRouter()
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/invoke",
        roles: ["admin", "ingest"],
        summary: "Run a function's live version now and answer with its result (logged, not retried)",
        request: { params: HookIdParam, ...jsonBody(InvokeBody) },
        responses: { 200: json(RunResult, "What the function did") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await invokeHook(deps, ws, id, c.req.valid("json"))), 200);
      },
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/test",
        roles: ["admin"],
        portal: true,
        summary: "Run the draft (or `source`) on a sample event, or send one real callback request",
        request: { params: HookIdParam, ...jsonBody(TestBody) },
        responses: { 200: json(RunResult, "The full result; nothing is retried or logged") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await testHook(deps, ws, id, c.req.valid("json"))), 200);
      },
    );
}
