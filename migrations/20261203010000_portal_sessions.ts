// Portal sessions: a one-time link token (exchanged once) and the session credential it becomes,
// both stored only as SHA-256 hashes, each session in exactly one workspace with role admin or operator.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("portal_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'operator')`))
    .addColumn("theme", "jsonb", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull())
    // Null until the link is opened: the exchange sets it together with used_at, in one UPDATE.
    .addColumn("credential_hash", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addCheckConstraint(
      "portal_sessions_used_has_credential",
      sql`(used_at is null) = (credential_hash is null)`,
    )
    .execute();
  await db.schema
    .createIndex("portal_sessions_token_hash_key")
    .on("portal_sessions")
    .column("token_hash")
    .unique()
    .execute();
  await db.schema
    .createIndex("portal_sessions_credential_hash_key")
    .on("portal_sessions")
    .column("credential_hash")
    .unique()
    .execute();
  await db.schema
    .createIndex("portal_sessions_workspace_idx")
    .on("portal_sessions")
    .columns(["workspace_id", "expires_at"])
    .execute();
  // Retention deletes sessions long expired, across workspaces.
  await db.schema
    .createIndex("portal_sessions_expires_idx")
    .on("portal_sessions")
    .column("expires_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("portal_sessions").execute();
}
