// The PostgreSQL server processes serving a database (its pool's backends), whose CPU a request also
// costs; read through a connection of the bench's own, which is left out.
import pg from "pg";

export async function backendWatcher(
  url: string,
): Promise<{ pids(): Promise<number[]>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async pids() {
      const r = await client.query<{ pid: number }>(
        "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
      );
      return r.rows.map((row) => row.pid);
    },
    close: () => client.end(),
  };
}
