// A place for the service's own facts about a database: first, a value sealed with the encryption
// key, so a start with another key is refused before it serves (see api/src/security/key-check.ts).
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await sql`create table hookrun_meta (name text primary key, value text not null)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table hookrun_meta`.execute(db);
}
