// One route declaration: a route file says what is particular to a route (method, path, summary,
// schemas, which roles may call it); this fills in what every route shares: its tag, the Bearer
// requirement naming those roles (and the Portal requirement naming the portal session roles that
// may call it), the role check itself and the common error responses. A role is declared once, so
// what is enforced and what /openapi.json documents cannot drift apart.
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { errorResponses, notFoundError } from "../schemas/common";
import type { WorkspaceRole } from "../services/api-keys";
import { allow, noPortal, rootOnly } from "./auth";
import type { AppEnv } from "./env";

/**
 * Who may call a route: anyone, without a key (`"public"`); any valid key (`"any key"`); the root
 * key only (`"root"`); or the root key and the listed workspace roles.
 */
export type Roles = "public" | "any key" | "root" | readonly [WorkspaceRole, ...WorkspaceRole[]];

/** A route's own parts. The shared ones are refused here, so a route cannot set them differently. */
type Particular = Omit<RouteConfig, "tags" | "security" | "middleware"> & {
  roles: Roles;
  /**
   * `true` lets portal session credentials in where their role (admin or operator) is listed.
   * Closed by default: a portal credential is short-lived and held by the platform's customer, so a
   * new route refuses it until someone decides otherwise. Left closed on purpose: credentials (API
   * keys, portal sessions: a session must not mint a lasting one), the platform's own catalog and
   * ingest (event type writes, posting events, invoke) and, always, root routes.
   */
  portal?: true;
  tags?: never;
  security?: never;
  middleware?: never;
};

/** Where `workspaceAccess` runs: it answers 404 for the root key and a workspace that does not exist. */
type WorkspacePath = `/v1/workspaces/{ws}${string}`;
type SharedErrors<P> = typeof errorResponses &
  (P extends WorkspacePath ? typeof notFoundError : Record<never, never>);

type Declared<R extends Particular> = Omit<R, "roles" | "portal" | "responses"> & {
  tags: string[];
  security?: Record<string, string[]>[];
  middleware?: MiddlewareHandler<AppEnv>[];
  responses: R["roles"] extends "public" ? R["responses"] : R["responses"] & SharedErrors<R["path"]>;
};

/**
 * The route maker of one tag. A route file makes one and declares each route with it:
 *
 *   const route = routesTagged("keys");
 *   router.openapi(route({ method: "get", path: "/v1/workspaces/{ws}/keys", roles: ["admin"], ... }), handler)
 *
 * The roles are documented as the Bearer requirement's role list (OpenAPI 3.1 allows role names
 * there for non-OAuth schemes): `["root", "admin"]`, `["root"]`, or `[]` for any valid key; the
 * portal session roles that may call it as a second, alternative requirement, `Portal`.
 */
export function routesTagged(tag: string) {
  return <const R extends Particular>(config: R) => {
    const { roles, portal, responses, ...particular } = config;
    const portalRoles = roles !== "public" && portal === true ? portalRolesOf(roles) : undefined;
    const checks = roles === "public" ? [] : roleChecks(roles, portal);
    const built: RouteConfig =
      roles === "public"
        ? { ...particular, tags: [tag], responses }
        : {
            ...particular,
            tags: [tag],
            security: [{ Bearer: documentedRoles(roles) }, ...(portalRoles ? [{ Portal: portalRoles }] : [])],
            ...(checks.length > 0 ? { middleware: checks } : {}),
            responses: { ...responses, ...errorsOf(config.path) },
          };
    // `built` is exactly `Declared<R>`; TypeScript cannot follow the conditional types.
    return createRoute(built as Declared<R>);
  };
}

function documentedRoles(roles: Exclude<Roles, "public">): string[] {
  if (roles === "any key") return [];
  if (roles === "root") return ["root"];
  return ["root", ...roles];
}

/** The portal session roles a route lets in (`[]`: any), or undefined when none may call it. */
function portalRolesOf(roles: Exclude<Roles, "public">): string[] | undefined {
  if (roles === "any key") return [];
  if (roles === "root") return undefined;
  const portalRoles = roles.filter((role) => role === "admin" || role === "operator");
  return portalRoles.length > 0 ? portalRoles : undefined;
}

/** With `portal: true` a portal session passes exactly where its role does (allow, rootOnly). */
function roleChecks(roles: Exclude<Roles, "public">, portal: true | undefined): MiddlewareHandler<AppEnv>[] {
  const checks = portal === true ? [] : [noPortal];
  if (roles === "any key") return checks;
  if (roles === "root") return [...checks, rootOnly];
  return [...checks, allow(...roles)];
}

function errorsOf(path: string) {
  return path.startsWith("/v1/workspaces/{ws}") ? { ...errorResponses, ...notFoundError } : errorResponses;
}
