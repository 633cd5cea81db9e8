// Portal sessions: a platform (an admin key or the root key) creates one for its customer and gets a
// one-time link; opening the link exchanges its token, exactly once, for a session credential that
// acts in that one workspace with the session's role until it expires or is revoked.
import type { Db } from "../db/connect";
import type { PortalSessionRow, PortalTheme } from "../db/schema";
import { newId } from "../ids";
import { type CatalogWriter, changeCatalog } from "../queue";
import { hashApiKey } from "../security/api-keys";
import { generateLinkToken, generatePortalCredential } from "../security/portal-tokens";
import { failure, type Result, success } from "./result";

export type PortalRole = "admin" | "operator";

export interface PortalSessionInput {
  role: PortalRole;
  ttlSeconds: number;
  theme: PortalTheme;
}

export interface PortalSession {
  id: string;
  role: PortalRole;
  theme: PortalTheme;
  createdAt: string;
  expiresAt: string;
  /** When the link was opened (its token exchanged); null while it has not been. */
  usedAt: string | null;
}

export interface CreatedPortalSession {
  id: string;
  url: string;
  expiresAt: string;
}

export interface ExchangedPortalSession {
  credential: string;
  expiresAt: string;
  role: PortalRole;
  workspaceId: string;
  workspaceName: string;
  theme: PortalTheme;
}

/** What the portal services need besides the database: where links point, and the time. */
export interface PortalContext {
  /** HOOKRUN_PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  now: () => Date;
}

const present = (row: PortalSessionRow): PortalSession => ({
  id: row.id,
  role: row.role,
  theme: row.theme,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
  usedAt: row.used_at?.toISOString() ?? null,
});

/** Announces nothing: nothing can hold the session before its link is opened. */
export async function createPortalSession(
  db: Db,
  workspaceId: string,
  input: PortalSessionInput,
  context: PortalContext,
): Promise<CreatedPortalSession> {
  const token = generateLinkToken();
  const now = context.now();
  const row = await db
    .insertInto("portal_sessions")
    .values({
      id: newId("ps"),
      workspace_id: workspaceId,
      role: input.role,
      theme: JSON.stringify(input.theme),
      token_hash: hashApiKey(token),
      created_at: now,
      expires_at: new Date(now.getTime() + input.ttlSeconds * 1000),
    })
    .returning(["id", "expires_at"])
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    // In the fragment: browsers never send it to a server, so it stays out of access logs and Referer.
    url: `${context.publicUrl}/portal#token=${token}`,
    expiresAt: row.expires_at.toISOString(),
  };
}

/** The sessions that are neither revoked nor expired, newest first. */
export async function listPortalSessions(db: Db, workspaceId: string, now: Date): Promise<PortalSession[]> {
  const rows = await db
    .selectFrom("portal_sessions")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map(present);
}

/** Every process's key cache hears of the revocation exactly when it commits (changeCatalog). */
export async function revokePortalSession(
  writer: CatalogWriter,
  workspaceId: string,
  id: string,
  now: Date,
): Promise<Result<PortalSession>> {
  const row = await changeCatalog(writer, workspaceId, (tx) =>
    tx
      .updateTable("portal_sessions")
      .set({ revoked_at: now })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .returningAll()
      .executeTakeFirst(),
  );
  return row ? success(present(row)) : failure("not_found", `active portal session ${id} not found`);
}

/**
 * Exchanges a link token for the session credential. One UPDATE claims the token, so of any number
 * of concurrent exchanges exactly one gets a credential. A token already exchanged is `gone` (410);
 * one that is unknown, expired or revoked before it was opened is `not_found` (404): the link
 * cannot be used, and a new one must be made.
 */
export async function exchangePortalToken(
  db: Db,
  token: string,
  now: Date,
): Promise<Result<ExchangedPortalSession>> {
  const tokenHash = hashApiKey(token);
  const credential = generatePortalCredential();
  const claimed = await db
    .updateTable("portal_sessions")
    .set({ used_at: now, credential_hash: hashApiKey(credential) })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .returningAll()
    .executeTakeFirst();
  if (!claimed) {
    const known = await db
      .selectFrom("portal_sessions")
      .select("used_at")
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (known?.used_at) return failure("gone", "this portal link was already used; ask for a new one");
    return failure("not_found", "this portal link is unknown, expired or revoked; ask for a new one");
  }
  const workspace = await db
    .selectFrom("workspaces")
    .select("name")
    .where("id", "=", claimed.workspace_id)
    .executeTakeFirst();
  return success({
    credential,
    expiresAt: claimed.expires_at.toISOString(),
    role: claimed.role,
    workspaceId: claimed.workspace_id,
    // A session lives only as long as its workspace; a race with its deletion answers the id.
    workspaceName: workspace?.name ?? claimed.workspace_id,
    theme: claimed.theme,
  });
}
