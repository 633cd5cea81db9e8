// Keyset pagination over (created_at, id): stable under concurrent inserts, no OFFSET scans.

import { sql } from "kysely";
import type { FailureDetail } from "./result";

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([position.created_at.toISOString(), position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): CursorPosition | FailureDetail {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  return { path: "cursor", message: "is not a cursor this API returned" };
}

/** Rows were fetched with limit + 1, so one extra row means there is a next page. */
export function toPage<R extends { created_at: Date; id: string }, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
): Page<T> {
  const visible = rows.slice(0, limit);
  const last = visible.at(-1);
  return { data: visible.map(present), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** The keyset condition for "older than the cursor", for queries ordered by created_at desc, id desc. */
export function olderThan(position: CursorPosition) {
  return sql<boolean>`(created_at, id) < (${position.createdAt.toISOString()}::timestamptz, ${position.id})`;
}
