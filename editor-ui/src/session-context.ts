// What every view needs: the typed client for the signed-in key, the key's role, and the workspace.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Client } from "./api/client";
import type { Role } from "./session";

export interface Session {
  client: Client;
  key: string;
  role: Role;
  /** The key's own workspace; null for the root key (it picks one). */
  keyWorkspace: string | null;
  signOut(): void;
  /**
   * Set in portal mode (a portal session in a platform's dashboard): its brand shows instead of
   * hookrun's, and there is no API keys page, no sign-out and no workspace switch.
   */
  portal?: PortalBrand;
}

export interface PortalBrand {
  name: string;
  logoUrl?: string | undefined;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in view");
  return session;
}

/** Admins (and the root key) may change things; operators read, retry and replay. */
export function canEdit(role: Role): boolean {
  return role === "root" || role === "admin";
}
