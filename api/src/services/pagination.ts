// Keyset pagination over (created_at, id), newest first: stable under concurrent inserts, no OFFSET
// scans. Positions keep the database's microsecond precision: a JS Date keeps only milliseconds, and
// a cursor built from one would skip rows sharing that millisecond (a worker's batch of attempts
// shares one created_at), so the timestamp travels as text straight from SQL.
import { type SelectQueryBuilder, sql } from "kysely";
import { isStorableInstant } from "./instant";
import { type FailureDetail, failure, success } from "./result";

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Position {
  /** ISO 8601 in UTC with microseconds, as `positionColumn` formats it. */
  at: string;
  id: string;
}

/** Selects created_at as `position`: UTC, microseconds, parseable back by ::timestamptz. */
export const positionColumn =
  sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("position");

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString("base64url");
}

export function decodeCursor(cursor: string, path = "cursor"): Position | FailureDetail {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      const [at, id] = parsed as [string, string];
      // What it decodes must be storable too: a real date, an id without U+0000.
      if (ISO_MICROS.test(at) && isStorableInstant(at) && id.length <= 64 && !id.includes("\u0000"))
        return { at, id };
    }
  } catch {
    // fall through to the error below
  }
  return { path, message: "is not a cursor this API returned" };
}

/** Keyset conditions; the row comparison is an index condition on (…, created_at, id). */
export const before = (p: Position) => sql<boolean>`(created_at, id) < (${p.at}::timestamptz, ${p.id})`;
export const after = (p: Position) => sql<boolean>`(created_at, id) > (${p.at}::timestamptz, ${p.id})`;

/**
 * One page of a list query, newest first: the cursor's condition, the order, the position column
 * and limit + 1 (the extra row tells toPage whether there is a next page).
 */
export function pageQuery<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
) {
  let paged = query.select(positionColumn);
  if (page.cursor) {
    const position = decodeCursor(page.cursor);
    if (!("id" in position)) return failure("invalid", "invalid cursor", [position]);
    paged = paged.where(before(position));
  }
  return success(
    paged
      .orderBy(sql`created_at`, "desc")
      .orderBy(sql`id`, "desc")
      .limit(page.limit + 1),
  );
}

export async function fetchPageRows<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
) {
  const paged = pageQuery(query, page);
  return paged.ok ? success(await paged.value.execute()) : paged;
}

/** Rows were fetched with limit + 1, so one extra row means there is a next page. */
export function toPage<R extends { position: string; id: string }, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
): Page<T> {
  const visible = rows.slice(0, limit);
  const last = visible.at(-1);
  return {
    data: visible.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.position, id: last.id }) : null,
  };
}
