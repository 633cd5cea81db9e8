// Attempts written outside a delivery batch (invoke): each with the NOTIFY that wakes its
// workspace's live tails, grouped (services/group-commit.ts) so that invokes finishing together
// cost one statement. Each caller is answered once its own attempt is committed, which keeps
// "recorded before the answer" true.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import { newId } from "../ids";
import { announceAttemptsCall } from "../queue";
import { GroupCommit } from "../services/group-commit";
import type { AttemptRecord } from "./attempt";
import { type AttemptSubject, attemptRow } from "./record";

export interface NewAttempt {
  subject: AttemptSubject;
  record: AttemptRecord;
}

/** Bytes of JSON one statement carries at most (results, logs and requests are bounded each). */
const MAX_GROUP_BYTES = 8 * 1024 * 1024;

export class AttemptWriter {
  private readonly group: GroupCommit<ReturnType<typeof attemptRow>, string>;

  constructor(db: Db) {
    this.group = new GroupCommit((rows) => insertAttemptRows(db, rows), {
      bounds: [{ of: rowBytes, max: MAX_GROUP_BYTES }],
    });
  }

  /** Writes the attempt (with others arriving meanwhile); resolves to its id once committed. */
  write({ subject, record }: NewAttempt): Promise<string> {
    return this.group.submit(attemptRow(newId("att"), subject, record));
  }
}

type AttemptRow = ReturnType<typeof attemptRow>;

function rowBytes(row: AttemptRow): number {
  return [row.request, row.response, row.result, row.logs, row.error].reduce(
    (n, v) => n + (v?.length ?? 0),
    0,
  );
}

/** The rows and one NOTIFY per workspace among them, in one statement (delivered on commit). */
async function insertAttemptRows(db: Db, rows: AttemptRow[]): Promise<string[]> {
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first) as (keyof AttemptRow)[];
  const values = rows.map((row) => sql`(${sql.join(columns.map((c) => row[c]))})`);
  await sql`
    with attempt as (
      insert into attempts (${sql.join(columns.map((c) => sql.ref(c)))})
      values ${sql.join(values)}
      returning workspace_id
    )
    select ${announceAttemptsCall(sql.ref("workspace_id"))}
    from (select distinct workspace_id from attempt) as w`.execute(db);
  return rows.map((row) => row.id);
}
