// Opens the database: PostgreSQL when a URL is given (production, scale-out), otherwise embedded PGlite
// in a data directory (zero-install default). Both return the same Kysely type and the same JS types.
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { openDataDir } from "./data-dir";
import type { Database } from "./schema";

export type Db = Kysely<Database>;

/** Stops listening. */
export type Unlisten = () => Promise<void>;

export interface OpenedDatabase {
  db: Db;
  kind: "pglite" | "postgres";
  /**
   * Calls `onNotify` for every NOTIFY on `channel`, from any process (Postgres) or this one (PGlite).
   * Notifications are hints: a lost one is covered by polling, so errors are logged, not thrown.
   * `payload` is the NOTIFY's payload ("" when none), e.g. the workspace id for the logs' live tail.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten>;
  close(): Promise<void>;
}

// count(*) and bigint columns are int8. pg returns them as strings by default; a number is what
// callers want, and PGlite already does number-if-safe-else-bigint, so make both do exactly that.
export function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

// Global on purpose: every pg client in the process (pool, LISTEN client, test admin) should agree.
// timestamptz already parses to Date on both drivers, so it needs no parser.
pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);

/** Where the database layer reports what it recovers from (the service's logger; stderr if none). */
export type DbLog = (message: string, error: Error) => void;

const stderrLog: DbLog = (message, error) => console.error(`${message}: ${error.message}`);

export async function openDatabase(opts: {
  url?: string;
  dataDir?: string;
  log?: DbLog;
}): Promise<OpenedDatabase> {
  const log = opts.log ?? stderrLog;
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url });
    // An idle client dying (server restart, network) emits 'error' on the pool; unhandled, that would
    // crash the process. The pool drops the client and the next query reconnects or reports the error.
    pool.on("error", (error) => log("postgres pool: idle client error", error));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const url = opts.url;
    return {
      db,
      kind: "postgres",
      listen: (channel, onNotify) => listenPostgres(url, channel, onNotify, log),
      close: () => closePool(db, pool),
    };
  }

  const dataDir = opts.dataDir === "memory://" ? undefined : opts.dataDir;
  // One process per data dir, owner-only files: before PGlite touches the directory.
  const unlock = dataDir ? openDataDir(dataDir) : () => {};
  const options = { parsers: { [pgliteTypes.INT8]: parseInt8 } };
  let pglite: PGlite;
  try {
    // Create it eagerly so a bad data directory fails here, not on the first request.
    pglite = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
  } catch (error) {
    unlock();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: "pglite",
    listen: async (channel, onNotify) => {
      const unlisten = await pglite.listen(channel, (payload) => onNotify(payload));
      return async () => {
        if (!pglite.closed) await unlisten();
      };
    },
    close: async () => {
      try {
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

// pool.end() resolves once clients are told to end, not once their sockets are closed; wait for the
// pool's 'remove' events too, so "closed" means the server has no session of ours left (tests drop
// the database right after). Bounded: a client that fails mid-connect is never reported as removed.
async function closePool(db: Db, pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  let timer: NodeJS.Timeout | undefined;
  const allRemoved = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 5_000);
    if (open === 0) resolve();
    pool.on("remove", () => {
      open -= 1;
      if (open <= 0) resolve();
    });
  });
  try {
    await db.destroy();
    await allRemoved;
  } finally {
    clearTimeout(timer);
  }
}

/** For /readyz: true when a trivial query answers within `timeoutMs` (a wedged pool must not hang probes). */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/** LISTEN on a dedicated connection (a pooled one would be handed to other queries). */
async function listenPostgres(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  log: DbLog,
): Promise<Unlisten> {
  if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload ?? "");
    });
    // A dropped connection is re-established; until then the polling backstop covers wake-ups.
    next.on("error", (error) => {
      log("postgres listener: connection lost; reconnecting", error);
      reconnect();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      client = next;
    } catch (error) {
      log("postgres listener: could not listen; retrying", error as Error);
      await next.end().catch(() => undefined);
      reconnect();
    }
  };
  const reconnect = () => {
    if (stopped || retry) return;
    client = null;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 1_000);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
