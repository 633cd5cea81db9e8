// Keeps the planner's statistics of the queue's tables (deliveries, events) fresh while deliveries
// churn through them. Once the tables have grown and churned far past their last ANALYZE, the
// queue's statements cost more and more until delivery cannot keep up (issue 16's fan-out bench at
// 2,100 deliveries/s: a ~20 s stall in every minute, PostgreSQL's CPU up by half while it lasted,
// p99 3.5 s). ANALYZE alone removes it (no stall, p99 0.28 s); which plan turns bad was not pinned
// down (docs/perf/issue-16-results.md). Autovacuum's analyze comes too late for a queue (it looks
// once a naptime, a minute by default), or never on a server with autovacuum off. So the worker
// analyzes after every ANALYZE_EVERY deliveries it finishes, checked every ANALYZE_CHECK_MS; a
// quiet queue is left to autovacuum. One process analyzes at a time (a transaction-scoped advisory
// lock; a process that does not get it skips its turn).
import { sql } from "kysely";
import type { Db } from "../db/connect";

/** Deliveries finished by one worker between two analyzes (5 s at 2,000/s). */
export const ANALYZE_EVERY = 10_000;
/** How often the worker looks whether it is due. */
export const ANALYZE_CHECK_MS = 5_000;
/** The advisory lock's two int4 halves: hookrun's class (as db/migrate.ts's, whose object is 1), 2. */
const LOCK_CLASS = 0x686b7275;
const LOCK_OBJECT = 2;

export class QueueStatistics {
  private finished = 0;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly every = ANALYZE_EVERY,
  ) {}

  /** A delivery finished (however it ended): one more row version churned. */
  delivered(): void {
    this.finished++;
  }

  /** Analyzes if this worker finished `every` deliveries since the last time; true if it did. */
  async analyzeIfDue(): Promise<boolean> {
    if (this.running || this.finished < this.every) return false;
    this.running = true;
    this.finished = 0;
    try {
      return await analyzeQueue(this.db);
    } finally {
      this.running = false;
    }
  }
}

/** ANALYZE of the queue's tables, unless another process is at it; true if this one did. */
export async function analyzeQueue(db: Db): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(${sql.lit(LOCK_CLASS)}, ${sql.lit(LOCK_OBJECT)}) as locked`.execute(
      tx,
    );
    if (!rows[0]?.locked) return false;
    await sql`analyze deliveries, events`.execute(tx);
    return true;
  });
}
