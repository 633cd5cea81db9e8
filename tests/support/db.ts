// Runs API tests on every database we support: PGlite always, PostgreSQL too when TEST_DATABASE_URL is
// set (CI). Each Postgres open() gets a fresh database so tests can run in parallel and leave nothing;
// bench/dispatch makes its throwaway database with createPostgresDatabase too.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Db, type OpenedDatabase, openDatabase } from "../../api/src/db/connect";
import { migrateToLatest } from "../../api/src/db/migrate";

export interface OpenedTestDatabase extends Pick<OpenedDatabase, "db" | "listen"> {
  /** The connection string, for child processes (Postgres only). */
  url: string | null;
  close(): Promise<void>;
}

export interface TestDatabase {
  name: "pglite" | "postgres";
  /** A migrated, empty database (pass `migrate: false` for a bare one). */
  open(options?: { migrate?: boolean }): Promise<OpenedTestDatabase>;
}

const adminUrl = process.env.TEST_DATABASE_URL;

async function admin<T>(
  url: string,
  connectTimeoutMs: number | undefined,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface CreateDatabaseOptions {
  /** The server to create it on (its database is only connected to); default TEST_DATABASE_URL. */
  adminUrl?: string;
  /** The new database's name is `<prefix>_<random>`; default `hookrun_t`. */
  prefix?: string;
  /** Give up connecting after this long (the bench skips an unreachable server); default pg's: wait. */
  connectTimeoutMs?: number;
}

/** Creates `hookrun_t_<random>` (by default) next to TEST_DATABASE_URL; `drop()` removes it even if still connected. */
export async function createPostgresDatabase(
  options: CreateDatabaseOptions = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const server = options.adminUrl ?? adminUrl;
  if (!server) throw new Error("TEST_DATABASE_URL is not set");
  const onServer = <T>(run: (client: pg.Client) => Promise<T>) =>
    admin(server, options.connectTimeoutMs, run);
  const name = `${options.prefix ?? "hookrun_t"}_${randomBytes(6).toString("hex")}`;
  await onServer((c) => c.query(`create database ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onServer((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function prepare(db: Db, migrate: boolean | undefined): Promise<void> {
  if (migrate !== false) await migrateToLatest(db);
}

const pglite: TestDatabase = {
  name: "pglite",
  async open(options) {
    const opened = await openDatabase({});
    await prepare(opened.db, options?.migrate).catch(async (error: unknown) => {
      await opened.close();
      throw error;
    });
    return { db: opened.db, listen: opened.listen, url: null, close: opened.close };
  },
};

const postgres: TestDatabase = {
  name: "postgres",
  async open(options) {
    const created = await createPostgresDatabase();
    const opened = await openDatabase({ url: created.url });
    const close = async () => {
      try {
        await opened.close();
      } finally {
        await created.drop();
      }
    };
    await prepare(opened.db, options?.migrate).catch(async (error: unknown) => {
      await close();
      throw error;
    });
    return { db: opened.db, listen: opened.listen, url: created.url, close };
  },
};

export const testDatabases: TestDatabase[] = adminUrl ? [pglite, postgres] : [pglite];
