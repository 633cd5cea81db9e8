// Authentication of a portal session credential (`hrp_…`): a live session (opened, not revoked,
// not expired) acts in its workspace with its role. Cached like API keys: revocation goes through
// changeCatalog, which drops the workspace's entries in every process; expiry is checked against
// the clock on every use, cached or not.
import type { Db } from "../db/connect";
import { hashApiKey, sameHash } from "../security/api-keys";
import type { Principal } from "./api-keys";
import type { CachedKey, HotCache } from "./hot-cache";

export async function authenticatePortal(
  db: Db,
  credential: string,
  now: Date,
  cache?: HotCache,
): Promise<Principal | null> {
  const hash = hashApiKey(credential);
  const cached = cache?.key(hash);
  if (cached) return principalOf(cached, now);
  const epoch = cache?.currentEpoch ?? 0;
  const row = await db
    .selectFrom("portal_sessions")
    .select(["id", "role", "workspace_id", "expires_at", "credential_hash"])
    .where("credential_hash", "=", hash)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  if (!row?.credential_hash || !sameHash(row.credential_hash, hash)) return null;
  const key: CachedKey = {
    id: row.id,
    role: row.role,
    workspaceId: row.workspace_id,
    lastUsedAt: null,
    portalExpiresAt: row.expires_at,
  };
  cache?.putKey(hash, key, epoch);
  return principalOf(key, now);
}

function principalOf(key: CachedKey, now: Date): Principal | null {
  if (!key.portalExpiresAt || key.portalExpiresAt <= now) return null;
  if (!key.workspaceId || (key.role !== "admin" && key.role !== "operator")) return null;
  return { role: key.role, keyId: key.id, workspaceId: key.workspaceId, portal: true };
}
