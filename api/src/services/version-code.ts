// The code of deployed function versions, kept in memory for invoke: a version never changes once
// written, so a copy read once stays right, and invoke saves a round trip per call. Bounded by the
// total size of what it holds; the least recently used version goes first.
import type { Db } from "../db/connect";
import type { FunctionVersionsTable } from "../db/schema";

export type VersionCode = Pick<FunctionVersionsTable, "id" | "code" | "source_map">;

/** At most this many characters of code and source maps (about 2 bytes each in V8 strings). */
const MAX_CHARS = 32 * 1024 * 1024;

const held = new Map<string, VersionCode>();
let heldChars = 0;

const sizeOf = (v: VersionCode) => v.code.length + v.source_map.length;

/** The code of a hook's version, from memory or read once. */
export async function versionCode(db: Db, hookId: string, version: number): Promise<VersionCode> {
  const key = `${hookId}:${version}`;
  const known = held.get(key);
  if (known) {
    // Maps iterate in insertion order: moving it to the end keeps the least recently used first.
    held.delete(key);
    held.set(key, known);
    return known;
  }
  const read = await db
    .selectFrom("function_versions")
    .select(["id", "code", "source_map"])
    .where("hook_id", "=", hookId)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
  hold(key, read);
  return read;
}

function hold(key: string, value: VersionCode): void {
  const size = sizeOf(value);
  if (size > MAX_CHARS) return;
  while (heldChars + size > MAX_CHARS) {
    const oldest = held.entries().next().value;
    if (!oldest) break;
    held.delete(oldest[0]);
    heldChars -= sizeOf(oldest[1]);
  }
  held.set(key, value);
  heldChars += size;
}
