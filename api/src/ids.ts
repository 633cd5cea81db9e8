// Resource ids: a type prefix and 20 random lowercase base-32 characters (100 bits).
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const ID_BYTES = 20;

export type IdPrefix = "ws" | "key" | "ps" | "et" | "hk" | "fv" | "evt" | "dlv" | "att";

// Random bytes drawn 4 KB at a time, as crypto.randomUUID does: ingest makes several ids per
// event, and a call into the system's generator for each was a visible share of its cost.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function nextRandomBytes(): Buffer {
  if (used + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const bytes = pool.subarray(used, used + ID_BYTES);
  used += ID_BYTES;
  return bytes;
}

export function newId(prefix: IdPrefix): string {
  let out = "";
  for (const byte of nextRandomBytes()) out += ALPHABET[byte & 31];
  return `${prefix}_${out}`;
}
