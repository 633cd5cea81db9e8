// First-start provisioning: the encryption key and the root key, created once and kept in the data dir.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "./config";
import type { Db } from "./db/connect";
import { ensureRootKey } from "./services/api-keys";

const ENCRYPTION_KEY_FILE = "encryption.key";
export const ROOT_KEY_FILE = "root.key";

/** Writes a file only this user can read; fails if it already exists (never overwrite a key). */
async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600, flag: "wx" });
}

/**
 * The key that seals secrets at rest: HOOKRUN_ENCRYPTION_KEY, or (embedded database only) a key
 * generated into the data dir on first start. Losing it makes stored secrets unreadable.
 */
export async function resolveEncryptionKey(config: Config): Promise<Buffer> {
  if (config.encryptionKey) return config.encryptionKey;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const path = join(config.dataDir, ENCRYPTION_KEY_FILE);
  try {
    return decodeKey(await readFile(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = randomBytes(32);
  try {
    await writePrivate(path, `${key.toString("base64")}\n`);
    return key;
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      return decodeKey(await readFile(path, "utf8"), path);
    throw error;
  }
}

function decodeKey(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key`);
  return key;
}

export type RootKeyStatus =
  | { kind: "configured" }
  | { kind: "existing" }
  | { kind: "created"; key: string; file: string | null };

/**
 * With no HOOKRUN_ROOT_KEY, the first start creates a root key, to be printed once; on the
 * embedded database it is also written (0600) into the data dir.
 */
export async function provisionRootKey(db: Db, config: Config, embedded: boolean): Promise<RootKeyStatus> {
  if (config.rootKey) return { kind: "configured" };
  const key = await ensureRootKey(db);
  if (!key) return { kind: "existing" };
  if (!embedded) return { kind: "created", key, file: null };
  const file = join(config.dataDir, ROOT_KEY_FILE);
  await writePrivate(file, `${key}\n`);
  return { kind: "created", key, file };
}
