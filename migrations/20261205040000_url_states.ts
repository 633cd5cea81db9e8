// The circuit breaker's state per callback URL (issue 17): a row only for a hook's URL that ever
// failed, holding its streak of consecutive failures, whether it is closed, open (deliveries wait)
// or half-open (one probe goes), and the cool-down before the next probe.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("url_states")
    .addColumn("hook_id", "text", (c) => c.notNull().references("hooks.id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull())
    // Consecutive failures; any other answer sets it back to 0.
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("state", "text", (c) => c.notNull().check(sql`state in ('closed', 'open', 'half_open')`))
    // When the state began; null for a URL that has failed but never opened.
    .addColumn("since", "timestamptz")
    // Open: when the probe may go.
    .addColumn("next_probe_at", "timestamptz")
    // The current cool-down, doubled by each failed probe (capped), back to the base on close.
    .addColumn("cooldown_ms", "integer", (c) => c.notNull())
    // Half-open: the delivery that is the probe (null: the next one to come).
    .addColumn("probe_delivery_id", "text")
    .addPrimaryKeyConstraint("url_states_pkey", ["hook_id", "url"])
    .execute();
  // The workers' probe timer and the open-circuit gauge read only URLs that are not closed: few.
  await sql`create index url_states_unsettled_idx on url_states (next_probe_at) where state <> 'closed'`.execute(
    db,
  );
  // The probe timer also looks at URLs closed a moment ago (a delivery parked while they closed).
  await sql`create index url_states_closed_idx on url_states (since) where state = 'closed'`.execute(db);
  // A URL's parked deliveries, released when it closes (and its probe, chosen among them): few at
  // any time, so a small partial index.
  await sql`create index deliveries_circuit_open_idx on deliveries (hook_id, target, created_at)
    where status = 'pending' and waiting = 'circuit_open'`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop index deliveries_circuit_open_idx`.execute(db);
  await db.schema.dropTable("url_states").execute();
}
