// Secrets at rest (callback headers, signing secrets, function secrets): AES-256-GCM.
// Each ciphertext is bound to where it belongs (the associated data), so a value copied into
// another row or field fails to decrypt instead of leaking there.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/**
 * Opened values kept, by context and ciphertext, so the worker does not decrypt a hook's secrets
 * for every one of its deliveries. A ciphertext never changes meaning (a new value is a new
 * ciphertext), so nothing needs invalidating; the bound keeps memory flat.
 */
const OPENED_KEPT = 1_000;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("the encryption key must be 32 bytes");
  const opened = new Map<string, string>();
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    open(sealed, context) {
      const cacheKey = `${context}\n${sealed}`;
      const known = opened.get(cacheKey);
      if (known !== undefined) return known;
      const plaintext = decrypt(key, sealed, context);
      if (opened.size >= OPENED_KEPT) opened.delete(opened.keys().next().value as string);
      opened.set(cacheKey, plaintext);
      return plaintext;
    },
  };
}

function decrypt(key: Buffer, sealed: string, context: string): string {
  const [version, payload] = sealed.split(":");
  if (version !== VERSION || payload === undefined) throw new Error("unknown secret format");
  const raw = Buffer.from(payload, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    "utf8",
  );
}

/** Seals a JSON value; opens back to the same value. */
export function sealJson(box: SecretBox, value: unknown, context: string): string {
  return box.seal(JSON.stringify(value), context);
}

export function openJson<T>(box: SecretBox, sealed: string, context: string): T {
  return JSON.parse(box.open(sealed, context)) as T;
}
