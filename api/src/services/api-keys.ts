// Workspace API keys and the root key. A key is shown once, at creation; only its hash is kept.
import type { Db } from "../db/connect";
import type { ApiKeyRow, Role } from "../db/schema";
import { newId } from "../ids";
import { changeCatalog } from "../queue";
import { displayPrefix, generateApiKey, hashApiKey, sameHash } from "../security/api-keys";
import type { CachedKey, HotCache } from "./hot-cache";
import { failure, type Result, success } from "./result";

export type WorkspaceRole = Exclude<Role, "root">;

export interface ApiKey {
  id: string;
  name: string;
  role: WorkspaceRole;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * Who is calling: a root key acts everywhere, any other key in its own workspace only. A portal
 * session (`portal: true`, keyId its session id) acts like a workspace key of its role, except on
 * the routes that manage credentials (http/route.ts refuses it there).
 */
export type Principal =
  | { role: "root"; keyId: string }
  | { role: WorkspaceRole; keyId: string; workspaceId: string; portal?: true };

const present = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  role: row.role as WorkspaceRole,
  prefix: row.prefix,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/** Announces nothing: no cache holds a key before its first use (unknown keys are never cached). */
export async function createApiKey(
  db: Db,
  workspaceId: string,
  input: { name: string; role: WorkspaceRole },
): Promise<ApiKey & { key: string }> {
  const key = generateApiKey();
  const row = await db
    .insertInto("api_keys")
    .values({
      id: newId("key"),
      workspace_id: workspaceId,
      role: input.role,
      name: input.name,
      prefix: displayPrefix(key),
      hash: hashApiKey(key),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...present(row), key };
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom("api_keys")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map(present);
}

/** Every process's key cache hears of the revocation exactly when it commits (changeCatalog). */
export async function revokeApiKey(
  db: Db,
  workspaceId: string,
  id: string,
  cache: HotCache | undefined,
): Promise<Result<ApiKey>> {
  const row = await changeCatalog({ db, cache }, workspaceId, (tx) =>
    tx
      .updateTable("api_keys")
      .set({ revoked_at: new Date() })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .returningAll()
      .executeTakeFirst(),
  );
  return row ? success(present(row)) : failure("not_found", `active key ${id} not found`);
}

/** Root keys configured by HOOKRUN_ROOT_KEY are not stored; they are checked by hash here. */
export interface KeyCheckOptions {
  configuredRootKeyHash?: string | undefined;
}

const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticate(
  db: Db,
  bearer: string,
  options: KeyCheckOptions,
  cache?: HotCache,
): Promise<Principal | null> {
  const hash = hashApiKey(bearer);
  if (options.configuredRootKeyHash && sameHash(hash, options.configuredRootKeyHash)) {
    return { role: "root", keyId: "root" };
  }
  const cached = cache?.key(hash);
  if (cached) {
    await touch(db, cached);
    return principalOf(cached);
  }
  // Unknown and revoked keys are never cached: a key created a moment ago works at once.
  const epoch = cache?.currentEpoch ?? 0;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "role", "workspace_id", "last_used_at", "hash"])
    .where("hash", "=", hash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (!row || !sameHash(row.hash, hash)) return null;
  const key: CachedKey = {
    id: row.id,
    role: row.role,
    workspaceId: row.workspace_id,
    lastUsedAt: row.last_used_at,
  };
  await touch(db, key);
  cache?.putKey(hash, key, epoch);
  return principalOf(key);
}

function principalOf(key: CachedKey): Principal | null {
  // A portal session credential is authenticated by services/portal-auth.ts only.
  if (key.portalExpiresAt) return null;
  if (key.role === "root") return { role: "root", keyId: key.id };
  if (!key.workspaceId) return null;
  return { role: key.role, keyId: key.id, workspaceId: key.workspaceId };
}

/** Records use at most once a minute per key, so authentication does not write on every request. */
async function touch(db: Db, key: CachedKey): Promise<void> {
  const now = Date.now();
  if (key.lastUsedAt && now - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const at = new Date(now);
  // Set first: concurrent requests with a cached key do not all write.
  key.lastUsedAt = at;
  await db.updateTable("api_keys").set({ last_used_at: at }).where("id", "=", key.id).execute();
}

/**
 * Creates the stored root key on first start when none is configured. Returns the key when this
 * call created it (to be shown once), null when one already existed (another process may have won).
 */
export async function ensureRootKey(db: Db): Promise<string | null> {
  const key = generateApiKey();
  const inserted = await db
    .insertInto("api_keys")
    .values({
      id: newId("key"),
      workspace_id: null,
      role: "root",
      name: "root",
      prefix: displayPrefix(key),
      hash: hashApiKey(key),
    })
    .onConflict((oc) => oc.column("role").where("role", "=", "root").doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted ? key : null;
}
