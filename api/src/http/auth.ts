// Bearer-key authentication and the two authorisation checks: which workspace, which role.
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { Db } from "../db/connect";
import { isPortalCredential } from "../security/portal-tokens";
import { authenticate, type WorkspaceRole } from "../services/api-keys";
import type { HotCache } from "../services/hot-cache";
import { authenticatePortal } from "../services/portal-auth";
import type { AppEnv } from "./env";
import { ApiError } from "./errors";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates the bearer key or portal session credential (through the key cache when there is
 * one). Changes announce themselves to the caches, in the services that make them
 * (queue/catalog-change.ts). `now` is the clock portal sessions expire by.
 */
export function authentication(
  db: Db,
  configuredRootKeyHash: string | undefined,
  cache?: HotCache,
  now: () => Date = () => new Date(),
): MiddlewareHandler<AppEnv> {
  const who = (bearer: string) =>
    isPortalCredential(bearer)
      ? authenticatePortal(db, bearer, now(), cache)
      : authenticate(db, bearer, { configuredRootKeyHash }, cache);
  return createMiddleware<AppEnv>(async (c, next) => {
    const match = BEARER.exec(c.req.header("authorization") ?? "");
    if (!match?.[1]) {
      c.header("WWW-Authenticate", 'Bearer realm="hookrun"');
      throw new ApiError(401, "unauthorized", "send an API key as `Authorization: Bearer <key>`");
    }
    const bearer = match[1];
    const principal = await who(bearer);
    if (!principal) {
      c.header("WWW-Authenticate", 'Bearer realm="hookrun", error="invalid_token"');
      throw new ApiError(
        401,
        "unauthorized",
        isPortalCredential(bearer)
          ? "the portal session has ended (expired or revoked)"
          : "unknown or revoked API key",
      );
    }
    c.set("principal", principal);
    c.set("stillAuthenticated", async () => (await who(bearer)) !== null);
    await next();
  });
}

/**
 * A key acts only in its own workspace; the root key acts in any that exists. The answer for a
 * foreign workspace is the same whether it exists or not, so keys cannot probe for workspaces.
 */
export function workspaceAccess(db: Db): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async (c, next) => {
    const ws = c.req.param("ws") ?? "";
    const principal = c.get("principal");
    if (principal.role !== "root" && principal.workspaceId !== ws) {
      throw new ApiError(403, "forbidden", "this key does not belong to that workspace");
    }
    if (principal.role === "root") {
      const exists = await db.selectFrom("workspaces").select("id").where("id", "=", ws).executeTakeFirst();
      if (!exists) throw new ApiError(404, "not_found", `workspace ${ws} not found`);
    }
    await next();
  });
}

/** Allows the root key and the given workspace roles. */
export function allow(...roles: WorkspaceRole[]): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get("principal");
    if (principal.role !== "root" && !roles.includes(principal.role)) {
      throw new ApiError(
        403,
        "forbidden",
        `this needs a key with role ${roles.join(" or ")}; yours is ${principal.role}`,
      );
    }
    await next();
  });
}

/**
 * Refuses portal session credentials: every route that has not opted in with `portal: true`
 * (http/route.ts), so a short-lived, customer-held session reaches only what the portal needs.
 */
export const noPortal: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
  const principal = c.get("principal");
  if (principal.role !== "root" && principal.portal)
    throw new ApiError(403, "forbidden", "a portal session cannot call this operation; it needs an API key");
  await next();
});

export const rootOnly: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("principal").role !== "root") throw new ApiError(403, "forbidden", "this needs the root key");
  await next();
});
