// Kysely 0.28 dialect for PGlite (embedded Postgres in WASM), modelled on the one Kysely 0.29 ships.
// 0.29 needs Node 22; 0.28 has no PGlite dialect and no notion of single-connection databases, so
// the driver serialises all use of the one connection itself, like Kysely's SqliteDriver does.
import type { PGlite, Transaction } from "@electric-sql/pglite";
import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  IdentifierNode,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  RawNode,
  type TransactionSettings,
} from "kysely";

export interface PGliteDialectConfig {
  /** An instance, or a factory called once on the first query (the dialect then owns and closes it). */
  pglite: PGlite | (() => Promise<PGlite>);
}

export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PGliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface takes Kysely<any> here
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

export class PGliteAdapter extends PostgresAdapter {
  // The migrator holds our only connection from lock to unlock, so no other migration in this process
  // can interleave, and a PGlite data directory is never shared between processes.
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

/** FIFO lock: `unlock` hands ownership straight to the next waiter so nobody can barge in between. */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  readonly #mutex = new Mutex();
  #pglite?: PGlite;
  #connection?: PGliteConnection;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const { pglite } = this.#config;
    this.#pglite = typeof pglite === "function" ? await pglite() : pglite;
    if (this.#pglite.closed) throw new Error("PGlite instance is already closed");
    if (!this.#pglite.ready) await this.#pglite.waitReady;
    this.#connection = new PGliteConnection(this.#pglite);
  }

  // PGlite is one Postgres backend: everyone queues for it, and a transaction (or a
  // `db.connection()` block) keeps it until Kysely releases the connection.
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (!this.#connection) {
      this.#mutex.unlock();
      throw new Error("PGlite driver is not initialised or has been destroyed");
    }
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await asPGlite(connection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await asPGlite(connection).end("commit");
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await asPGlite(connection).end("rollback");
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    await savepointCommand(connection, compile, "savepoint", name);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await savepointCommand(connection, compile, "rollback to", name);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ) {
    await savepointCommand(connection, compile, "release", name);
  }

  // Waits for whoever holds the connection (like pg's pool.end()) so in-flight work finishes first.
  async destroy(): Promise<void> {
    await this.#mutex.lock();
    try {
      const pglite = this.#pglite;
      this.#connection = undefined;
      this.#pglite = undefined;
      if (pglite && !pglite.closed) await pglite.close();
    } finally {
      this.#mutex.unlock();
    }
  }
}

function asPGlite(connection: DatabaseConnection): PGliteConnection {
  if (connection instanceof PGliteConnection) return connection;
  throw new Error("not a PGlite connection");
}

async function savepointCommand(
  connection: DatabaseConnection,
  compile: QueryCompiler["compileQuery"],
  command: "savepoint" | "rollback to" | "release",
  name: string,
): Promise<void> {
  // Same node Kysely's own parseSavepointCommand (not exported) builds: the name is an escaped identifier.
  const node = RawNode.createWithChildren([
    RawNode.createWithSql(`${command} `),
    IdentifierNode.create(name),
  ]);
  await connection.executeQuery(compile(node, createQueryId()));
}

const WRITE_COMMANDS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  // Set while a transaction is open: queries must go through PGlite's transaction handle.
  #tx?: Transaction;
  #finish?: (outcome: "commit" | "rollback") => void;
  #closed?: Promise<unknown>;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await (this.#tx ?? this.#pglite).query<R>(
      compiledQuery.sql,
      [...compiledQuery.parameters],
      {
        rowMode: "object",
      },
    );
    // Same rule as Kysely's pg driver: only writes report affected rows (per statement, not cumulative).
    const count = result.rowCount ?? result.affectedRows;
    return {
      rows: result.rows ?? [],
      numAffectedRows:
        result.command && WRITE_COMMANDS.has(result.command) && count !== undefined
          ? BigInt(count)
          : undefined,
    };
  }

  // PGlite has no cursors over its API: run the query once and hand the rows out in chunks.
  // Correct for `.stream()` callers, but it does not save memory.
  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) {
      yield { rows: rows.slice(i, i + chunkSize) };
    }
  }

  // Uses PGlite's own transaction() so the instance stays locked for any non-Kysely user too; the
  // callback parks until Kysely commits or rolls back (rejecting makes PGlite issue ROLLBACK).
  async begin(settings: TransactionSettings): Promise<void> {
    let began!: () => void;
    let failedToBegin!: (error: unknown) => void;
    const started = new Promise<void>((resolve, reject) => {
      began = resolve;
      failedToBegin = reject;
    });
    const outcome = new Promise<"commit" | "rollback">((resolve) => {
      this.#finish = resolve;
    });
    this.#closed = this.#pglite.transaction(async (tx) => {
      this.#tx = tx;
      began();
      if ((await outcome) === "rollback") throw new RollbackSignal();
    });
    // If BEGIN itself fails, the transaction promise rejects before `began` is called (and Kysely
    // will not call rollback, so reset here).
    this.#closed.catch(failedToBegin);
    try {
      await started;
    } catch (error) {
      this.#tx = this.#finish = this.#closed = undefined;
      throw error;
    }
    const { isolationLevel, accessMode } = settings;
    if (isolationLevel || accessMode) {
      const parts = [isolationLevel && `isolation level ${isolationLevel}`, accessMode].filter(Boolean);
      try {
        await this.#tx?.query(`set transaction ${parts.join(" ")}`);
      } catch (error) {
        // Kysely only rolls back once beginTransaction has returned: close PGlite's transaction here.
        await this.end("rollback");
        throw error;
      }
    }
  }

  async end(outcome: "commit" | "rollback"): Promise<void> {
    const closed = this.#closed;
    this.#finish?.(outcome);
    try {
      await closed;
    } catch (error) {
      if (!(error instanceof RollbackSignal)) throw error;
    } finally {
      this.#tx = undefined;
      this.#finish = undefined;
      this.#closed = undefined;
    }
  }
}

class RollbackSignal extends Error {
  constructor() {
    super("rollback requested by Kysely");
  }
}
