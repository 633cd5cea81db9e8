// Delivery control (issue 17), the columns its parts share: each hook's rate limit, FIFO switch and
// breaker threshold, and why a pending delivery is waiting (held back without an attempt: its rate
// slot, its FIFO line or its URL's open breaker). The parts' own tables come in their own migrations.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever the schema is at that point
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable("hooks")
    // Deliveries per second for the whole hook; null: no limit.
    .addColumn("rate_limit", "float8")
    .addColumn("fifo", "boolean", (c) => c.notNull().defaultTo(false))
    // Consecutive failures that open a URL's breaker; null: the default.
    .addColumn("breaker_failures", "integer")
    .execute();
  // 'rate_limit' | 'fifo' | 'circuit_open' while a delivery waits without an attempt; null otherwise.
  await db.schema.alterTable("deliveries").addColumn("waiting", "text").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("deliveries").dropColumn("waiting").execute();
  await db.schema
    .alterTable("hooks")
    .dropColumn("rate_limit")
    .dropColumn("fifo")
    .dropColumn("breaker_failures")
    .execute();
}
