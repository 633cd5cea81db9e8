// /v1/workspaces: root only. Tenants are created, renamed and deleted here.
import { createRoute, z } from "@hono/zod-openapi";
import { rootOnly } from "../http/auth";
import { unwrap } from "../http/errors";
import { bearerSecurity, createRouter } from "../http/router";
import {
  commonErrors,
  conflictError,
  Description,
  json,
  jsonBody,
  Name,
  notFoundError,
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

const tags = ["workspaces"];
const middleware = rootOnly;

export function workspaceRoutes(store: Store) {
  return createRouter()
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces",
        tags,
        middleware,
        security: bearerSecurity,
        summary: "Create a workspace (with the default event types)",
        request: jsonBody(WorkspaceCreate),
        responses: { 201: json(Workspace, "Created"), ...commonErrors, ...conflictError },
      }),
      async (c) => c.json(unwrap(await createWorkspace(store.db, c.req.valid("json"))), 201),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces",
        tags,
        middleware,
        security: bearerSecurity,
        summary: "List workspaces, newest first",
        request: { query: PageQuery },
        responses: { 200: json(pageOf(Workspace), "A page of workspaces"), ...commonErrors },
      }),
      async (c) => c.json(unwrap(await listWorkspaces(store.db, c.req.valid("query"))), 200),
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}",
        tags,
        middleware,
        security: bearerSecurity,
        summary: "Get a workspace",
        request: { params: WorkspaceParam },
        responses: { 200: json(Workspace, "The workspace"), ...commonErrors, ...notFoundError },
      }),
      async (c) => c.json(unwrap(await getWorkspace(store.db, c.req.valid("param").ws)), 200),
    )
    .openapi(
      createRoute({
        method: "patch",
        path: "/v1/workspaces/{ws}",
        tags,
        middleware,
        security: bearerSecurity,
        summary: "Rename or describe a workspace",
        request: { params: WorkspaceParam, ...jsonBody(WorkspacePatch) },
        responses: { 200: json(Workspace, "Updated"), ...commonErrors, ...notFoundError, ...conflictError },
      }),
      async (c) =>
        c.json(
          unwrap(await updateWorkspace(store.db, c.req.valid("param").ws, c.req.valid("json"), store.cache)),
          200,
        ),
    )
    .openapi(
      createRoute({
        method: "delete",
        path: "/v1/workspaces/{ws}",
        tags,
        middleware,
        security: bearerSecurity,
        summary: "Delete a workspace and everything in it",
        request: { params: WorkspaceParam },
        responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
      }),
      async (c) => {
        unwrap(await deleteWorkspace(store.db, c.req.valid("param").ws, store.cache));
        return c.body(null, 204);
      },
    );
}
