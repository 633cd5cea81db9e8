// Query counting (BENCH_COUNT_QUERIES=1): a Kysely plugin on the db handed to the app and the worker.
// Transactions' BEGIN/COMMIT do not pass through plugins; they are counted from pg_stat_database.
import type { KyselyPlugin, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { sql } from "kysely";
import type { Db } from "../../api/src/db/connect";
import type { DatabaseKind } from "./options";

export class QueryCounter implements KyselyPlugin {
  readonly counts = new Map<string, number>();
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    const node = args.node as RootOperationNode & {
      into?: { table?: { identifier?: { name?: string } } };
      table?: { table?: { identifier?: { name?: string } } };
      from?: { froms?: { table?: { identifier?: { name?: string } } }[] };
    };
    const table =
      node.into?.table?.identifier?.name ??
      node.table?.table?.identifier?.name ??
      node.from?.froms?.[0]?.table?.identifier?.name ??
      "";
    const key = `${node.kind.replace("QueryNode", "").replace("Node", "").toLowerCase()} ${table}`.trim();
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return args.node;
  }
  async transformResult(args: { result: QueryResult<UnknownRow> }): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
  take(): Map<string, number> {
    const out = new Map(this.counts);
    this.counts.clear();
    return out;
  }
}

/** Committed and rolled-back transactions so far (PostgreSQL only; null on PGlite). */
export async function xactCount(db: Db, kind: DatabaseKind): Promise<number | null> {
  if (kind !== "postgres") return null;
  await sql`select pg_stat_force_next_flush()`.execute(db).catch(() => undefined);
  const r = await sql<{
    n: number;
  }>`select (xact_commit + xact_rollback)::int8 as n from pg_stat_database where datname = current_database()`.execute(
    db,
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** The report's lines for one phase: statements by kind and table, and transactions, per delivery. */
export function queryLines(
  counts: Map<string, number>,
  deliveries: number,
  xact0: number | null,
  xact1: number | null,
): string[] {
  const per = Math.max(1, deliveries);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `statements through Kysely: ${total} = ${(total / per).toFixed(2)} per delivery (ingest + dispatch, ${per} deliveries)`,
  ];
  for (const [k, v] of [...counts.entries()].sort((a, b) => b[1] - a[1]))
    lines.push(`  ${k.padEnd(28)} ${String(v).padStart(8)}  ${(v / per).toFixed(2)}/delivery`);
  if (xact0 !== null && xact1 !== null)
    lines.push(
      `transactions (pg_stat_database, incl. autocommit statements): ${xact1 - xact0} = ${((xact1 - xact0) / per).toFixed(2)} per delivery`,
    );
  return lines;
}
