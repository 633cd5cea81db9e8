// CPU accounting from /proc (Linux): this process (app + worker + PGlite), its children (function
// executors), the child processes the bench started (by role), postgres server processes on this
// host, and the whole machine.
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { now } from "./wait";

/** Child processes the bench started, by role ("api", "worker", "posters"): their CPU is reported apart. */
const roles = new Map<number, string>();

/** Reports `child`'s CPU under `role` from now on. */
export function trackRole(child: ChildProcess, role: string): void {
  if (child.pid) roles.set(child.pid, role);
}

export interface CpuSnap {
  at: number;
  self: number;
  children: number;
  byRole: Record<string, number>;
  postgres: number;
  machineBusy: number;
  machineTotal: number;
}

const TICK = 100; // USER_HZ on Linux

export function cpuSnap(): CpuSnap {
  const snap: CpuSnap = {
    at: now(),
    self: 0,
    children: 0,
    byRole: {},
    postgres: 0,
    machineBusy: 0,
    machineTotal: 0,
  };
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    snap.machineTotal = fields.reduce((a, b) => a + b, 0) / TICK;
    snap.machineBusy = snap.machineTotal - idle / TICK;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const rest = stat.slice(close + 2).split(" ");
      const ppid = Number(rest[1]);
      const cpu = (Number(rest[11]) + Number(rest[12])) / TICK;
      const role = roles.get(Number(entry));
      if (Number(entry) === process.pid) snap.self += cpu;
      else if (role) snap.byRole[role] = (snap.byRole[role] ?? 0) + cpu;
      // Function executors: children of this process or of a worker process.
      else if (ppid === process.pid || roles.get(ppid) === "worker") snap.children += cpu;
      else if (comm === "postgres") snap.postgres += cpu;
    }
  } catch {
    // not Linux: CPU figures print as 0
  }
  return snap;
}

export function cpuLine(a: CpuSnap, b: CpuSnap): string {
  const wall = (b.at - a.at) / 1000;
  // A child that exited in between takes its CPU time with it: never print a negative share.
  const cores = (x: number) => (Math.max(0, x) / wall).toFixed(2);
  const busy = b.machineBusy - a.machineBusy;
  const total = b.machineTotal - a.machineTotal;
  const roleNames = [...new Set([...Object.keys(a.byRole), ...Object.keys(b.byRole)])].sort();
  const roleCpu = roleNames.map((r) => [r, (b.byRole[r] ?? 0) - (a.byRole[r] ?? 0)] as const);
  const ours =
    b.self -
    a.self +
    (b.children - a.children) +
    (b.postgres - a.postgres) +
    roleCpu.reduce((n, [, c]) => n + c, 0);
  return (
    `cpu (cores busy, of ${cpus().length}): node main ${cores(b.self - a.self)}, ` +
    roleCpu.map(([r, c]) => `${r} ${cores(c)}, `).join("") +
    `executors ${cores(b.children - a.children)}, ` +
    `postgres ${cores(b.postgres - a.postgres)}, other ${cores(Math.max(0, busy - ours))}, ` +
    `machine ${cores(busy)} (${total > 0 ? ((100 * busy) / total).toFixed(0) : "?"}% busy)`
  );
}

/** CPU milliseconds per event over a window, by process, plus the inverse: events/s per busy core. */
export function costLine(a: CpuSnap, b: CpuSnap, events: number): string {
  if (events === 0) return "n/a";
  const ms = (cpu: number) => ((Math.max(0, cpu) * 1000) / events).toFixed(2);
  const parts = [`node main ${ms(b.self - a.self)}`];
  for (const r of [...new Set([...Object.keys(a.byRole), ...Object.keys(b.byRole)])].sort())
    parts.push(`${r} ${ms((b.byRole[r] ?? 0) - (a.byRole[r] ?? 0))}`);
  parts.push(`executors ${ms(b.children - a.children)}`, `postgres ${ms(b.postgres - a.postgres)}`);
  return `${parts.join(", ")} (CPU ms per ingested event, whatever else the machine runs)`;
}
