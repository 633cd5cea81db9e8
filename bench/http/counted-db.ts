// A database whose every round trip is seen: Kysely's query log sees each statement, and a wrapped
// driver sees each transaction's BEGIN and COMMIT (or ROLLBACK), which neither the log nor a plugin
// sees. For the round-trip count.
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { type Dialect, Kysely, type LogEvent, PGliteDialect, PostgresDialect } from "kysely";
import pg from "pg";
import { type Db, type OpenedDatabase, openDatabase, parseInt8 } from "../../api/src/db/connect";
import type { Database } from "../../api/src/db/schema";

export interface CountedDatabase {
  db: Db;
  /** The app's LISTEN (the cache's invalidations); on PGlite, the same instance as `db`. */
  opened: Pick<OpenedDatabase, "listen">;
  /** The statements run since the last take, in order (the first line of each, shortened). */
  take(): string[];
  close(): Promise<void>;
}

/** `inner` with its driver's transaction boundaries reported to `record`. */
function withTransactionsSeen(inner: Dialect, record: (statement: string) => void): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver() {
      const driver = inner.createDriver();
      const begin = driver.beginTransaction.bind(driver);
      const commit = driver.commitTransaction.bind(driver);
      const rollback = driver.rollbackTransaction.bind(driver);
      driver.beginTransaction = (connection, settings) => {
        record("BEGIN");
        return begin(connection, settings);
      };
      driver.commitTransaction = (connection) => {
        record("COMMIT");
        return commit(connection);
      };
      driver.rollbackTransaction = (connection) => {
        record("ROLLBACK");
        return rollback(connection);
      };
      return driver;
    },
  };
}

/** On PostgreSQL at `url`, else on an in-memory PGlite. */
export async function openCountedDatabase(url: string | null): Promise<CountedDatabase> {
  let statements: string[] = [];
  const record = (statement: string) => {
    statements.push(statement);
  };
  const log = (event: LogEvent) => record(event.query.sql.replace(/\s+/g, " ").slice(0, 100));
  const take = () => {
    const out = statements;
    statements = [];
    return out;
  };
  if (url) {
    // LISTEN through the service's own code; the counted statements through a pool of our own.
    const listener = await openDatabase({ url });
    const pool = new pg.Pool({ connectionString: url });
    const db = new Kysely<Database>({
      dialect: withTransactionsSeen(new PostgresDialect({ pool }), record),
      log,
    });
    return {
      db,
      opened: listener,
      take,
      close: async () => {
        await db.destroy();
        await listener.close();
      },
    };
  }
  const pglite = await PGlite.create({ parsers: { [pgliteTypes.INT8]: parseInt8 } });
  const db = new Kysely<Database>({
    dialect: withTransactionsSeen(new PGliteDialect({ pglite }), record),
    log,
  });
  return {
    db,
    opened: { listen: async (channel, onNotify) => pglite.listen(channel, onNotify) },
    take,
    close: () => db.destroy(),
  };
}
