// Protects the database layer: Kysely's PGlite dialect's single serialised connection and transactions,
// identical results on PGlite and Postgres, idempotent and concurrency-safe migrations, PGlite persistence.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase, pingDatabase } from "../../api/src/db/connect";
import { migrateToLatest } from "../../api/src/db/migrate";
import { migrations } from "../../migrations";
import { createPostgresDatabase, testDatabases } from "../support/db";

const migrationNames = Object.keys(migrations).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scratch {
  id: number;
  n: number;
}

// Tests own their tables (unique names) so they never see each other's rows.
async function scratchTable(db: Db, name: string) {
  await sql`create table ${sql.table(name)} (id int primary key, n int not null)`.execute(db);
  return db.withTables<Record<typeof name, Scratch>>();
}

class Rollback extends Error {}

describe.each(testDatabases)("database layer on $name", (target) => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await target.open());
  });
  afterAll(async () => {
    await close();
  });

  it("serialises concurrent read-modify-write transactions, honouring the rollbacks", async () => {
    const t = await scratchTable(db, "t_counter");
    await t.insertInto("t_counter").values({ id: 1, n: 0 }).execute();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        t.transaction().execute(async (trx) => {
          // `for update` makes this correct on Postgres; on PGlite the dialect must not interleave.
          const row = await trx
            .selectFrom("t_counter")
            .select("n")
            .where("id", "=", 1)
            .forUpdate()
            .executeTakeFirstOrThrow();
          await sleep(2);
          await trx
            .updateTable("t_counter")
            .set({ n: row.n + 1 })
            .where("id", "=", 1)
            .execute();
          if (i % 4 === 0) throw new Rollback();
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(5);
    const { n } = await t.selectFrom("t_counter").select("n").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(n).toBe(15);
  });

  it("keeps queries outside a transaction out of it, and a rollback really rolls back", async () => {
    const t = await scratchTable(db, "t_isolation");
    let outside: Promise<unknown> | undefined;
    await expect(
      t.transaction().execute(async (trx) => {
        await trx.insertInto("t_isolation").values({ id: 1, n: 1 }).execute();
        // Issued on the outer db while the transaction is open: it must not join (and die with) it.
        outside = t.insertInto("t_isolation").values({ id: 2, n: 2 }).execute();
        await sleep(10);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    await outside;
    const rows = await t.selectFrom("t_isolation").select("id").orderBy("id").execute();
    expect(rows).toEqual([{ id: 2 }]);
  });

  it("rolls back to savepoints and after a failed statement", async () => {
    const t = await scratchTable(db, "t_savepoint");
    const trx = await t.startTransaction().execute();
    await trx.insertInto("t_savepoint").values({ id: 1, n: 1 }).execute();
    const sp = await trx.savepoint("before_two").execute();
    await sp.insertInto("t_savepoint").values({ id: 2, n: 2 }).execute();
    const back = await sp.rollbackToSavepoint("before_two").execute();
    await back.commit().execute();
    expect(await t.selectFrom("t_savepoint").select("id").execute()).toEqual([{ id: 1 }]);

    // A duplicate key aborts the transaction; committing it must not leave the connection stuck.
    await expect(
      t.transaction().execute(async (tx) => {
        await tx.insertInto("t_savepoint").values({ id: 3, n: 3 }).execute();
        await tx.insertInto("t_savepoint").values({ id: 1, n: 1 }).execute();
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await t.selectFrom("t_savepoint").select("id").execute()).toEqual([{ id: 1 }]);
  });

  it("reports numAffectedRows for writes", async () => {
    const t = await scratchTable(db, "t_affected");
    const inserted = await t
      .insertInto("t_affected")
      .values([1, 2, 3].map((id) => ({ id, n: id })))
      .executeTakeFirstOrThrow();
    expect(inserted.numInsertedOrUpdatedRows).toBe(3n);
    const updated = await t
      .updateTable("t_affected")
      .set({ n: 0 })
      .where("id", ">", 1)
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await t.deleteFrom("t_affected").where("id", "=", 3).executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);
    const none = await t.deleteFrom("t_affected").where("id", "=", 99).executeTakeFirstOrThrow();
    expect(none.numDeletedRows).toBe(0n);
    // A raw delete (how retention prunes) reports its count too.
    const raw = await sql`delete from t_affected where id = 2`.execute(t);
    expect(raw.numAffectedRows).toBe(1n);
  });

  it("returns int8 as number (bigint beyond 2^53) and timestamptz as Date", async () => {
    const { rows } = await sql<{ c: unknown; big: unknown; at: unknown }>`
      select count(*) as c, 9007199254740993::int8 as big, '2024-05-01T12:00:00Z'::timestamptz as at`.execute(
      db,
    );
    expect(rows[0]).toEqual({ c: 1, big: 9007199254740993n, at: new Date("2024-05-01T12:00:00Z") });
  });

  it("has applied every migration once, and a second run applies nothing", async () => {
    expect(await migrateToLatest(db)).toEqual({ applied: [] });
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(rows.map((r) => r.name)).toEqual(migrationNames);
  });

  it("answers pings", async () => {
    expect(await pingDatabase(db)).toBe(true);
  });

  it("applies migrations to a bare database and reports them", async () => {
    const bare = await target.open({ migrate: false });
    try {
      expect(await migrateToLatest(bare.db)).toEqual({ applied: migrationNames });
      expect(await migrateToLatest(bare.db)).toEqual({ applied: [] });
    } finally {
      await bare.close();
    }
    expect(await pingDatabase(bare.db)).toBe(false);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("migrations on postgres", () => {
  it("4 processes migrating one fresh database at once apply each migration exactly once", async () => {
    const target = await createPostgresDatabase();
    const opened = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url: target.url })));
    try {
      const results = await Promise.all(opened.map(({ db }) => migrateToLatest(db)));
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(migrationNames);
      const first = opened[0]!.db;
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        first,
      );
      expect(rows.map((r) => r.name)).toEqual(migrationNames);
    } finally {
      await Promise.all(opened.map((o) => o.close()));
      await target.drop();
    }
  });
});

describe("PGlite data directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hookrun-db-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("persists across close and reopen, creating the directory", async () => {
    const dataDir = join(dir, "nested", "data");
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe("pglite");
    expect(await migrateToLatest(first.db)).toEqual({ applied: migrationNames });
    const t = await scratchTable(first.db, "t_persist");
    await t.insertInto("t_persist").values({ id: 7, n: 42 }).execute();
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      expect(await migrateToLatest(second.db)).toEqual({ applied: [] });
      const t2 = second.db.withTables<{ t_persist: Scratch }>();
      expect(await t2.selectFrom("t_persist").selectAll().execute()).toEqual([{ id: 7, n: 42 }]);
    } finally {
      await second.close();
    }
  });

  it("reports a failed migration by name", async () => {
    // Use a fresh in-memory database and pre-create a table the initial migration makes, so it fails.
    const opened = await openDatabase({ dataDir: "memory://" });
    try {
      await sql`create table workspaces (id int)`.execute(opened.db);
      await expect(migrateToLatest(opened.db)).rejects.toThrow(`migration ${migrationNames[0]} failed`);
      // All pending migrations ran in one transaction: nothing is recorded.
      const { rows } = await sql<{ c: number }>`select count(*) as c from kysely_migration`.execute(
        opened.db,
      );
      expect(rows[0]?.c).toBe(0);
    } finally {
      await opened.close();
    }
  });
});
