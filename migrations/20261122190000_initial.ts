// The whole product's schema: tenancy, the hook registry, and the event -> delivery -> attempt pipeline.
// Migrations never import app code: they describe tables as they were on the day they were written.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

const now = sql`now()`;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("workspaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("workspaces_name_key").on("workspaces").column("name").unique().execute();

  // workspace_id is null only for root keys, which act in every workspace.
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.references("workspaces.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('root', 'admin', 'operator', 'ingest')`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("last_used_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addCheckConstraint("api_keys_root_has_no_workspace", sql`(role = 'root') = (workspace_id is null)`)
    .execute();
  await db.schema.createIndex("api_keys_hash_key").on("api_keys").column("hash").unique().execute();
  await db.schema
    .createIndex("api_keys_workspace_idx")
    .on("api_keys")
    .columns(["workspace_id", "created_at"])
    .execute();
  // At most one generated root key: concurrent first starts race on this index, and one wins.
  await db.schema
    .createIndex("api_keys_single_root")
    .on("api_keys")
    .column("role")
    .unique()
    .where(sql.ref("role"), "=", "root")
    .execute();

  await db.schema
    .createTable("event_types")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("schema", "jsonb")
    .addColumn("example", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint("event_types_workspace_name_key", ["workspace_id", "name"])
    .execute();

  // One table for both kinds; the kind's own columns are null for the other kind.
  // Secrets (callback headers, signing secrets, function secrets) are stored encrypted (AES-256-GCM).
  await db.schema
    .createTable("hooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('callback', 'function')`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("events", "jsonb", (c) => c.notNull())
    .addColumn("enabled", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("disabled_reason", "text")
    .addColumn("retry", "jsonb", (c) => c.notNull())
    .addColumn("failing_since", "timestamptz")
    // callback
    .addColumn("method", "text", (c) => c.check(sql`method in ('POST', 'PUT', 'GET')`))
    .addColumn("urls", "jsonb")
    .addColumn("disabled_urls", "jsonb")
    .addColumn("headers_enc", "text")
    .addColumn("timeout_ms", "integer")
    .addColumn("signing", "jsonb")
    .addColumn("signing_secret_enc", "text")
    .addColumn("previous_signing_secret_enc", "text")
    .addColumn("previous_signing_secret_expires_at", "timestamptz")
    // function
    .addColumn("source", "text")
    .addColumn("live_version", "integer")
    .addColumn("secrets_enc", "text")
    .addColumn("limits", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    // Deleted hooks are kept (their logs still name them) but never receive anything again.
    .addColumn("deleted_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("hooks_workspace_name_key")
    .on("hooks")
    .columns(["workspace_id", "name"])
    .unique()
    .where(sql.ref("deleted_at"), "is", null)
    .execute();
  await db.schema
    .createIndex("hooks_workspace_idx")
    .on("hooks")
    .columns(["workspace_id", "created_at"])
    .execute();

  await db.schema
    .createTable("function_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("hook_id", "text", (c) => c.notNull().references("hooks.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("source_map", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint("function_versions_hook_version_key", ["hook_id", "version"])
    .execute();

  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("data", "jsonb", (c) => c.notNull())
    .addColumn("context", "jsonb")
    .addColumn("idempotency_key", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex("events_idempotency_key")
    .on("events")
    .columns(["workspace_id", "idempotency_key"])
    .unique()
    .where(sql.ref("idempotency_key"), "is not", null)
    .execute();
  await db.schema
    .createIndex("events_workspace_time_idx")
    .on("events")
    .columns(["workspace_id", "created_at desc", "id desc"])
    .execute();
  await db.schema.createIndex("events_created_idx").on("events").column("created_at").execute();

  // One delivery = one event to one target (a URL of a callback hook, or a function hook).
  // A claimed delivery keeps status 'pending' with next_attempt_at pushed to the lease's end,
  // so a crashed worker's deliveries become due again by themselves.
  await db.schema
    .createTable("deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("hook_id", "text", (c) => c.notNull().references("hooks.id").onDelete("cascade"))
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('pending', 'succeeded', 'failed', 'canceled')`),
    )
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("lease_owner", "text")
    .addColumn("last_outcome", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("finished_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("deliveries_due_idx")
    .on("deliveries")
    .column("next_attempt_at")
    .where(sql.ref("status"), "=", "pending")
    .execute();
  await db.schema.createIndex("deliveries_event_idx").on("deliveries").column("event_id").execute();
  await db.schema
    .createIndex("deliveries_workspace_time_idx")
    .on("deliveries")
    .columns(["workspace_id", "created_at desc", "id desc"])
    .execute();
  await db.schema
    .createIndex("deliveries_hook_time_idx")
    .on("deliveries")
    .columns(["hook_id", "created_at"])
    .execute();

  // One attempt = one execution log record.
  await db.schema
    .createTable("attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("delivery_id", "text", (c) => c.references("deliveries.id").onDelete("set null"))
    .addColumn("event_id", "text")
    .addColumn("hook_id", "text", (c) => c.notNull().references("hooks.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("event_type", "text")
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("started_at", "timestamptz", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("request", "jsonb")
    .addColumn("response", "jsonb")
    .addColumn("result", "jsonb")
    .addColumn("logs", "jsonb")
    .addColumn("error", "jsonb")
    .addColumn("cpu_ms", "double precision")
    .addColumn("heap_bytes", "bigint")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  // Logs are read newest first per workspace, optionally narrowed to a hook, an outcome or an event.
  await db.schema
    .createIndex("attempts_workspace_time_idx")
    .on("attempts")
    .columns(["workspace_id", "created_at desc", "id desc"])
    .execute();
  await db.schema
    .createIndex("attempts_hook_time_idx")
    .on("attempts")
    .columns(["workspace_id", "hook_id", "created_at desc", "id desc"])
    .execute();
  await db.schema
    .createIndex("attempts_outcome_time_idx")
    .on("attempts")
    .columns(["workspace_id", "outcome", "created_at desc", "id desc"])
    .execute();
  await db.schema
    .createIndex("attempts_event_idx")
    .on("attempts")
    .columns(["workspace_id", "event_id"])
    .execute();
  await db.schema.createIndex("attempts_delivery_idx").on("attempts").column("delivery_id").execute();
  await db.schema.createIndex("attempts_created_idx").on("attempts").column("created_at").execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    "attempts",
    "deliveries",
    "events",
    "function_versions",
    "hooks",
    "event_types",
    "api_keys",
    "workspaces",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
