// The embedded database's data directory, made ready before PGlite opens it: owner-only (the
// database, the encryption key and the root key live there) and held by this process alone.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { lockDataDir } from "./data-dir-lock";

/** Sets owner-only modes on everything under `dir` (0700 folders, 0600 files); links are left alone. */
export function ownerOnly(dir: string): void {
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    chmodSync(next, 0o700);
    for (const name of readdirSync(next)) {
      const path = join(next, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) pending.push(path);
      else if (stat.isFile() && (stat.mode & 0o777) !== 0o600) chmodSync(path, 0o600);
    }
  }
}

/**
 * Creates the data dir if needed, takes the one-process lock, and makes everything in it owner-only.
 * The umask covers what this process writes itself; PGlite's file layer applies its own modes (0644
 * for some files), so the modes are fixed again when the database closes. Meanwhile the folder's
 * 0700 keeps every other user out. Returns what to call once the database is closed.
 */
export function openDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  process.umask(0o077);
  const release = lockDataDir(dataDir);
  try {
    ownerOnly(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  return () => {
    try {
      ownerOnly(dataDir);
    } finally {
      release();
    }
  };
}
