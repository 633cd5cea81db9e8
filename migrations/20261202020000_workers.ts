// Workers announce themselves and heartbeat, so the leases of one that died are handed back within
// seconds instead of when they run out (see api/src/dispatch/heartbeat.ts). The partial index finds
// a worker's leased deliveries without scanning the queue; it holds only claimed ones.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await sql`create table workers (id text primary key, heartbeat_at timestamptz not null default now())`.execute(
    db,
  );
  await sql`create index deliveries_lease_idx on deliveries (lease_owner)
    where lease_owner is not null and status = 'pending'`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop index deliveries_lease_idx`.execute(db);
  await sql`drop table workers`.execute(db);
}
