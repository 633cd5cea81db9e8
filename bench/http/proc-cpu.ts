// CPU time from /proc (Linux) of the processes a target's cost is charged to: the service, its
// children (the function executors) and, on PostgreSQL, the server backends of the bench's database.
import { readdirSync, readFileSync } from "node:fs";

const TICK = 100; // USER_HZ on Linux

interface Stat {
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
}

function stat(pid: number | string): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12])) / TICK };
  } catch {
    return null; // exited, or not Linux
  }
}

export interface CpuSnap {
  service: number;
  executors: number;
  postgres: number;
}

/**
 * CPU seconds so far of `pid`, of its live children, and of `backends` (PostgreSQL server
 * processes). A child that exits in between takes its time with it: callers clamp at 0.
 */
export function cpuSnap(pid: number, backends: readonly number[] = []): CpuSnap {
  let executors = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(entry);
    if (s?.ppid === pid) executors += s.cpu;
  }
  return {
    service: stat(pid)?.cpu ?? 0,
    executors,
    postgres: backends.reduce((n, b) => n + (stat(b)?.cpu ?? 0), 0),
  };
}

/** CPU milliseconds per request between two snapshots, by process. */
export function cpuPerRequest(a: CpuSnap, b: CpuSnap, requests: number): CpuSnap {
  const per = (x: number) => (requests > 0 ? (Math.max(0, x) * 1000) / requests : Number.NaN);
  return {
    service: per(b.service - a.service),
    executors: per(b.executors - a.executors),
    postgres: per(b.postgres - a.postgres),
  };
}
