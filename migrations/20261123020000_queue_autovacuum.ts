// Deliveries are a queue: every delivery is written, claimed and finished, leaving dead index
// entries where the next claim starts its scan. PostgreSQL's default waits until a fifth of the table
// is dead before vacuuming, so on a large table the claims would walk ever more dead entries; these
// settings vacuum it after a fixed amount of churn instead. (They take effect where autovacuum runs;
// PGlite has none.)
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await sql`alter table deliveries set (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 20000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 20000
  )`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`alter table deliveries reset (
    autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_threshold,
    autovacuum_analyze_scale_factor,
    autovacuum_analyze_threshold
  )`.execute(db);
}
