// Function hooks' source, deploys and versions.
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json, jsonBody, listOf } from "../schemas/common";
import { DeployBody, FunctionVersionView, HookIdParam, HookView, SourceBody } from "../schemas/hooks";
import type { Store } from "../services/context";
import { deploy, listVersions, saveSource } from "../services/function-versions";

const route = routesTagged("hooks");

export function functionRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "put",
        path: "/v1/workspaces/{ws}/hooks/{id}/source",
        roles: ["admin"],
        portal: true,
        summary: "Save a function's draft; 422 with line/column diagnostics when it does not compile",
        request: { params: HookIdParam, ...jsonBody(SourceBody) },
        responses: { 200: json(HookView, "Saved") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await saveSource(store, ws, id, c.req.valid("json").source)), 200);
      },
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/deploy",
        roles: ["admin"],
        portal: true,
        summary:
          "Make the draft (or, with `version`, an earlier version) the live version; deploying the draft that is already live answers with that version and makes no new one",
        request: { params: HookIdParam, ...jsonBody(DeployBody) },
        responses: { 200: json(FunctionVersionView, "The live version") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await deploy(store, ws, id, c.req.valid("json").version)), 200);
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}/versions",
        roles: ["admin", "operator"],
        portal: true,
        summary: "A function's version history, newest first",
        request: { params: HookIdParam },
        responses: { 200: json(listOf(FunctionVersionView), "Versions") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json({ data: unwrap(await listVersions(store, ws, id)) }, 200);
      },
    );
}
