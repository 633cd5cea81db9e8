// A fresh PostgreSQL database beside BENCH_DATABASE_URL for one run, dropped after; a server that
// cannot be reached, or a run that fails, is one printed line (the bench goes on).
import { type OpenedDatabase, openDatabase } from "../../api/src/db/connect";
import { createPostgresDatabase } from "../../tests/support/db";
import { PG_URL } from "./options";

/** Runs `run` on a fresh database named for `label`; its result, or null if it could not run. */
export async function withPostgres<T>(
  label: string,
  run: (opened: OpenedDatabase, url: string) => Promise<T>,
): Promise<T | null> {
  let created: { url: string; drop(): Promise<void> };
  try {
    created = await createPostgresDatabase({
      adminUrl: PG_URL,
      prefix: "hookrun_bench",
      connectTimeoutMs: 3_000,
    });
  } catch (error) {
    console.log(`${label}: skipped (${(error as Error).message || String(error)})`);
    return null;
  }
  try {
    const opened = await openDatabase({ url: created.url });
    try {
      return await run(opened, created.url);
    } finally {
      await opened.close();
    }
  } catch (error) {
    console.log(`${label}: failed (${(error as Error).stack ?? String(error)})`);
    return null;
  } finally {
    await created.drop().catch((e) => console.log(`${label}: drop failed (${String(e)})`));
  }
}
