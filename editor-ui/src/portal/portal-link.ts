// A portal link's token and the session it is exchanged for. The token is read from the address's
// fragment and removed from it at once (history.replaceState), so it is never in the history, a
// bookmark or a screenshot. The exchanged session is kept in memory and, when the browser allows
// it, in the tab's session storage (a reload keeps it); inside a third-party iframe with storage
// blocked, touching sessionStorage throws, and the portal works from memory alone.
import type { AppType } from "@hookrun/api/browser";
import { hc } from "hono/client";
import { ok } from "../api/client";

export interface PortalTheme {
  name?: string;
  logoUrl?: string;
  accentColor?: string;
  mode?: "light" | "dark";
}

export interface PortalSession {
  credential: string;
  expiresAt: string;
  role: "admin" | "operator";
  workspaceId: string;
  workspaceName: string;
  theme: PortalTheme;
}

const STORED = "hookrun.portal";

/** The link's one-time token, taken out of the address; null when the address holds none. */
export function takeLinkToken(): string | null {
  const token = /^#token=([\w-]{1,200})$/.exec(location.hash)?.[1] ?? null;
  if (token) history.replaceState(null, "", `${location.pathname}#/`);
  return token;
}

/** Exchanges the token once; the answer's failure (410 used, 404 unknown or expired) is thrown. */
export async function exchangeLinkToken(token: string): Promise<PortalSession> {
  const client = hc<AppType>(location.origin);
  return await ok(client.v1.portal.exchange.$post({ json: { token } }));
}

export function storedPortalSession(): PortalSession | null {
  try {
    const text = sessionStorage.getItem(STORED);
    return text ? (JSON.parse(text) as PortalSession) : null;
  } catch {
    return null; // storage blocked (a third-party iframe) or unreadable
  }
}

export function storePortalSession(session: PortalSession | null): void {
  try {
    if (session) sessionStorage.setItem(STORED, JSON.stringify(session));
    else sessionStorage.removeItem(STORED);
  } catch {
    // Storage blocked: the session lives in memory only, which is all the portal needs.
  }
}
