// /v1/workspaces: root only. Tenants are created, renamed and deleted here.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import {
  conflictError,
  Description,
  json,
  jsonBody,
  Name,
  PageQuery,
  pageOf,
  WorkspaceParam,
} from "../schemas/common";
import type { Store } from "../services/context";
import {
  createWorkspace,
  deleteWorkspace,
  getWorkspace,
  listWorkspaces,
  updateWorkspace,
} from "../services/workspaces";

const Workspace = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Workspace");
const WorkspaceCreate = z.strictObject({
  name: Name.openapi({ example: "acme" }),
  description: Description.optional(),
});
const WorkspacePatch = z.strictObject({ name: Name.optional(), description: Description.optional() });

const route = routesTagged("workspaces");

export function workspaceRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces",
        roles: "root",
        summary: "Create a workspace (with the default event types)",
        request: jsonBody(WorkspaceCreate),
        responses: { 201: json(Workspace, "Created"), ...conflictError },
      }),
      async (c) => c.json(unwrap(await createWorkspace(store.db, c.req.valid("json"))), 201),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces",
        roles: "root",
        summary: "List workspaces, newest first",
        request: { query: PageQuery },
        responses: { 200: json(pageOf(Workspace), "A page of workspaces") },
      }),
      async (c) => c.json(unwrap(await listWorkspaces(store.db, c.req.valid("query"))), 200),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}",
        roles: "root",
        summary: "Get a workspace",
        request: { params: WorkspaceParam },
        responses: { 200: json(Workspace, "The workspace") },
      }),
      async (c) => c.json(unwrap(await getWorkspace(store.db, c.req.valid("param").ws)), 200),
    )
    .openapi(
      route({
        method: "patch",
        path: "/v1/workspaces/{ws}",
        roles: "root",
        summary: "Rename or describe a workspace",
        request: { params: WorkspaceParam, ...jsonBody(WorkspacePatch) },
        responses: { 200: json(Workspace, "Updated"), ...conflictError },
      }),
      async (c) =>
        c.json(
          unwrap(await updateWorkspace(store.db, c.req.valid("param").ws, c.req.valid("json"), store.cache)),
          200,
        ),
    )
    .openapi(
      route({
        method: "delete",
        path: "/v1/workspaces/{ws}",
        roles: "root",
        summary: "Delete a workspace and everything in it",
        request: { params: WorkspaceParam },
        responses: { 204: { description: "Deleted" } },
      }),
      async (c) => {
        unwrap(await deleteWorkspace(store.db, c.req.valid("param").ws, store.cache));
        return c.body(null, 204);
      },
    );
}
