// Portal sessions: /v1/workspaces/{ws}/portal-sessions (admins and the root key create, list and end
// them; a portal session itself may not), and the public exchange of a link's one-time token.
import { z } from "@hono/zod-openapi";
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { errorResponse, json, jsonBody, listOf, Name, WorkspaceParam } from "../schemas/common";
import type { Store } from "../services/context";
import {
  createPortalSession,
  exchangePortalToken,
  listPortalSessions,
  type PortalContext,
  revokePortalSession,
} from "../services/portal-sessions";

const Role = z.enum(["admin", "operator"]);
const HTTP_URL = /^https?:\/\//i;
const isHttpUrl = (value: string) => HTTP_URL.test(value) && URL.canParse(value);

const PortalTheme = z
  .strictObject({
    name: Name.optional().openapi({ description: "Shown as the portal's title", example: "Acme" }),
    logoUrl: z
      .string()
      .max(2048)
      .refine(isHttpUrl, "must be an http:// or https:// URL")
      .optional()
      .openapi({ example: "https://acme.example.com/logo.svg" }),
    accentColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1a2b3c")
      .optional()
      .openapi({ example: "#0f766e" }),
    mode: z.enum(["light", "dark"]).optional(),
  })
  .openapi("PortalTheme");

const PortalSessionCreate = z
  .strictObject({
    role: Role,
    ttlSeconds: z.number().int().min(60).max(86400).default(3600),
    theme: PortalTheme.default({}),
  })
  .openapi("PortalSessionCreate");

const CreatedPortalSession = z
  .object({
    id: z.string(),
    url: z.string().openapi({
      description: "The one-time link: `<HOOKRUN_PUBLIC_URL>/portal#token=…`, for an iframe's src",
    }),
    expiresAt: z.string(),
  })
  .openapi("CreatedPortalSession");

const PortalSession = z
  .object({
    id: z.string(),
    role: Role,
    theme: PortalTheme,
    createdAt: z.string(),
    expiresAt: z.string(),
    usedAt: z.string().nullable().openapi({ description: "When the link was opened; null until then" }),
  })
  .openapi("PortalSession");

const PortalExchange = z.strictObject({ token: z.string().min(1).max(200) }).openapi("PortalExchange");
const PortalCredential = z
  .object({
    credential: z.string().openapi({ description: "A bearer for the API, valid until expiresAt" }),
    expiresAt: z.string(),
    role: Role,
    workspaceId: z.string(),
    workspaceName: z.string(),
    theme: PortalTheme,
  })
  .openapi("PortalCredential");

const SessionParam = WorkspaceParam.extend({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const route = routesTagged("portal");

export function portalSessionRoutes(store: Store & { portal: PortalContext }) {
  return createRouter()
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/portal-sessions",
        roles: ["admin"],
        summary: "Create a portal session: a one-time link that opens the editor in this workspace",
        request: { params: WorkspaceParam, ...jsonBody(PortalSessionCreate) },
        responses: { 201: json(CreatedPortalSession, "Created; the link is shown only here") },
      }),
      async (c) =>
        c.json(
          await createPortalSession(store.db, c.req.valid("param").ws, c.req.valid("json"), store.portal),
          201,
          // The one-time link is a secret until it is opened: no cache may keep it.
          { "Cache-Control": "no-store" },
        ),
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/portal-sessions",
        roles: ["admin"],
        summary: "List the active portal sessions (neither ended nor expired)",
        request: { params: WorkspaceParam },
        responses: { 200: json(listOf(PortalSession), "Active sessions, newest first") },
      }),
      async (c) =>
        c.json(
          { data: await listPortalSessions(store.db, c.req.valid("param").ws, store.portal.now()) },
          200,
        ),
    )
    .openapi(
      route({
        method: "delete",
        path: "/v1/workspaces/{ws}/portal-sessions/{id}",
        roles: ["admin"],
        summary: "End a portal session; its link and credential stop working at once",
        request: { params: SessionParam },
        responses: { 200: json(PortalSession, "Ended") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await revokePortalSession(store, ws, id, store.portal.now())), 200);
      },
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/portal/exchange",
        roles: "public",
        summary: "Exchange a portal link's one-time token for the session credential",
        request: jsonBody(PortalExchange),
        responses: {
          200: json(PortalCredential, "The session credential"),
          400: errorResponse("Malformed request or invalid body"),
          404: errorResponse("The link is unknown, expired, or its session was ended"),
          410: errorResponse("The link was already used"),
        },
      }),
      async (c) => {
        const exchanged = unwrap(
          await exchangePortalToken(store.db, c.req.valid("json").token, store.portal.now()),
        );
        return c.json(exchanged, 200, { "Cache-Control": "no-store" });
      },
    );
}
