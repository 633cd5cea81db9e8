// Resource ids: a type prefix and 20 random lowercase base-32 characters (100 bits).
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdPrefix = "ws" | "key" | "et" | "hk" | "fv" | "evt" | "dlv" | "att";

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(20);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return `${prefix}_${out}`;
}
