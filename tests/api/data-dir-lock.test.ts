// Protects the one-process-per-data-dir lock: a live holder is refused with a message naming the
// data dir and its pid; a lock left by a dead process, by a pid since reused, or unreadable is
// taken over with no manual step; a release removes only our own lock.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataDirLocked, LOCK_FILE, lockDataDir } from "../../api/src/db/data-dir-lock";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hookrun-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const holderPid = () => (JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid;
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

describe("lockDataDir", () => {
  it("refuses while a live process holds it, naming the dir and the pid", () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLocked);
    expect(() => lockDataDir(dir)).toThrow(`${dir} is in use by hookrun process ${process.pid}`);
    release();
    lockDataDir(dir)();
  });

  it.each([
    ["a dead process", () => JSON.stringify({ pid: deadPid(), started: null })],
    ["a pid since reused (another start time)", () => JSON.stringify({ pid: process.pid, started: "1" })],
    ["an unreadable lock", () => "garbage"],
  ])("takes over the lock of %s", (_label, content) => {
    writeFileSync(join(dir, LOCK_FILE), content());
    const release = lockDataDir(dir);
    expect(holderPid()).toBe(process.pid);
    release();
    expect(() => readFileSync(join(dir, LOCK_FILE))).toThrow();
  });

  it("releases only its own lock", () => {
    const release = lockDataDir(dir);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), started: null }));
    release();
    expect(readFileSync(join(dir, LOCK_FILE), "utf8")).toContain('"pid"');
  });
});
