// The API's operations, read from its own /openapi.json, for tests that walk them all (tenancy,
// roles, portal sessions): a new route is covered without anyone listing it. The walk refuses to
// run on nothing, on a handler the router holds but the document does not show, on roles it does
// not know, and on a public /v1 operation not listed here.
import type { TestApi } from "./app";

export type Who = "root" | "admin" | "operator" | "ingest";
export const EVERYONE: Who[] = ["root", "admin", "operator", "ingest"];
/** The roles a portal session can have. */
export type PortalWho = "admin" | "operator";
export const PORTAL_ROLES: PortalWho[] = ["admin", "operator"];

/** The /v1 operations that answer without a key: making one public is a deliberate act, listed here. */
const PUBLIC_V1 = ["POST /v1/portal/exchange"];

export interface Operation {
  /** Upper case, as sent. */
  method: string;
  /** The document's template, e.g. /v1/workspaces/{ws}/hooks/{id}. */
  path: string;
  /** Who may call it: "public" (no key), or the roles its Bearer requirement names (any key: all). */
  callers: "public" | Who[];
  /** The portal session roles its Portal requirement names (none: portal sessions are refused). */
  portalCallers: PortalWho[];
  /** Whether it takes a JSON body. */
  hasBody: boolean;
}

type Document = {
  paths: Record<
    string,
    Record<string, { security?: { Bearer?: string[]; Portal?: string[] }[]; requestBody?: unknown }>
  >;
};

export async function operationsOf(api: TestApi): Promise<Operation[]> {
  const doc = (await api.request("GET", "/openapi.json")).body as Document;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const label = `${method.toUpperCase()} ${path}`;
      const bearer = op.security?.find((s) => s.Bearer !== undefined)?.Bearer;
      if (bearer === undefined && path.startsWith("/v1/") && !PUBLIC_V1.includes(label))
        throw new Error(`${label}: no Bearer requirement`);
      const unknown = bearer?.find((role) => !(EVERYONE as string[]).includes(role));
      if (unknown !== undefined) throw new Error(`${label}: unknown role ${unknown}`);
      const callers = bearer === undefined ? "public" : bearer.length === 0 ? EVERYONE : (bearer as Who[]);
      const portal = op.security?.find((s) => s.Portal !== undefined)?.Portal;
      const unknownPortal = portal?.find((role) => !(PORTAL_ROLES as string[]).includes(role));
      if (unknownPortal !== undefined) throw new Error(`${label}: unknown portal role ${unknownPortal}`);
      const portalCallers =
        portal === undefined ? [] : portal.length === 0 ? PORTAL_ROLES : (portal as PortalWho[]);
      operations.push({
        method: method.toUpperCase(),
        path,
        callers,
        portalCallers,
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  if (operations.length === 0) throw new Error("/openapi.json lists no operations");
  const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
  const hidden = api.routes
    .filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/"))
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`)
    .filter((route) => !documented.has(route));
  if (hidden.length > 0) throw new Error(`handlers missing from /openapi.json: ${[...new Set(hidden)]}`);
  return operations;
}
