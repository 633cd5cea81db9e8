// API keys are random bearer tokens; only their SHA-256 is stored, and comparisons are constant-time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const KEY_PREFIX = "hr_";

/** A new key: 32 random bytes, URL-safe, with a recognisable prefix (for secret scanners and humans). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** What a listing may show of a key: enough to recognise it, not enough to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** Constant-time equality of two hex digests, so response timing says nothing about a guess. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}
