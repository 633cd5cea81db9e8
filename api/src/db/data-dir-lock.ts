// One process per embedded data directory, as Postgres's own postmaster.pid rule: two PGlite
// instances writing one directory corrupt it. The lock is a file created exclusively before the
// database opens; it names the holder's pid and, on Linux, the holder's start time, so a lock left
// by a killed process (or by a pid since reused) is recognised as stale and taken over.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE = "hookrun.pid";

type Holder = { pid: number; started: string | null };

export class DataDirLocked extends Error {
  override name = "DataDirLocked";
}

/** The process's start time from /proc (clock ticks since boot), or null where there is none. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Alive, unless the pid now belongs to a process started at another time.
  return holder.started === null || startTimeOf(holder.pid) === holder.started;
}

function readHolder(path: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Holder>;
    return typeof parsed.pid === "number" ? { pid: parsed.pid, started: parsed.started ?? null } : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the lock file atomically: written aside, then hard-linked into place (fails if it exists). */
function create(path: string): boolean {
  const temp = `${path}.${process.pid}`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ pid: process.pid, started: startTimeOf(process.pid) })}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Takes the data dir's lock or throws DataDirLocked naming the holder. Returns the release
 * function (also run at exit).
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(path)) return releaser(path);
    const holder = readHolder(path);
    if (holder && isAlive(holder)) {
      throw new DataDirLocked(
        `${dataDir} is in use by hookrun process ${holder.pid}; one process per data dir`,
      );
    }
    // Stale (or unreadable): move it aside under a name of our own. Of two processes taking it over
    // at once, the slower one may move the winner's fresh lock instead: it sees a live holder in
    // what it moved, puts it back, and finds it next round.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const moved = readHolder(aside);
    if (moved && isAlive(moved)) {
      try {
        linkSync(aside, path);
      } catch {}
    }
    unlinkSync(aside);
  }
  throw new DataDirLocked(`${dataDir}: could not take ${LOCK_FILE}; another process keeps taking it`);
}

function releaser(path: string): () => void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    if (readHolder(path)?.pid === process.pid) unlinkSync(path);
  };
  process.on("exit", release);
  return release;
}
