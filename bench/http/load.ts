// One measurement: the load runner (its own process) against a target while the CPU of the processes
// that serve it is read before and after the timed run.
import { fork } from "node:child_process";
import { join } from "node:path";
import type { LoadMessage, LoadRequest } from "./load-runner";
import { CONNECTIONS, SECONDS, WARMUP_SECONDS } from "./options";
import { type CpuSnap, cpuPerRequest, cpuSnap } from "./proc-cpu";

/** What to load: one request, sent over and over. */
export interface Target {
  name: string;
  method: "GET" | "POST";
  url: string;
  /** The API key it authenticates with, if any. */
  key?: string;
  body?: unknown;
}

/** Whose CPU a request costs: the serving process and its children, and PostgreSQL backends. */
export interface Served {
  pid: number;
  /** The PostgreSQL server processes serving it now (none on the embedded database). */
  backends(): Promise<number[]>;
}

export interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds per answered request, by process. */
  cpu: CpuSnap;
  /** The load generator's own CPU milliseconds per answered request (it shares the machine). */
  loadgenCpu: number;
}

const runner = join(import.meta.dirname, "load-runner.ts");

export async function measure(target: Target, served: Served): Promise<Figures> {
  const request: LoadRequest = {
    url: target.url,
    method: target.method,
    headers: {
      ...(target.key ? { authorization: `Bearer ${target.key}` } : {}),
      ...(target.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(target.body === undefined ? {} : { body: JSON.stringify(target.body) }),
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
  };
  // Plain node (not the bench's tsx loader): the runner is type-stripped TypeScript with no imports of ours.
  const child = fork(runner, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let before: CpuSnap | null = null;
  let loadgenBefore = 0;
  let backends: number[] = [];
  const done = await new Promise<Extract<LoadMessage, { kind: "done" }>>((resolve, reject) => {
    child.on("message", async (message: LoadMessage) => {
      if (message.kind === "timed") {
        backends = await served.backends();
        before = cpuSnap(served.pid, backends);
        loadgenBefore = cpuSnap(child.pid ?? 0).service;
      } else resolve(message);
    });
    child.once("exit", (code) => reject(new Error(`load runner for ${target.name} exited (${code})`)));
    child.send(request);
  });
  const after = cpuSnap(served.pid, backends);
  const loadgenAfter = cpuSnap(child.pid ?? 0).service;
  child.kill();
  return {
    name: target.name,
    rps: done.rps,
    p50: done.p50,
    p99: done.p99,
    errors: done.errors + done.non2xx,
    cpu: before ? cpuPerRequest(before, after, done.ok) : cpuPerRequest(after, after, 0),
    loadgenCpu: done.ok > 0 ? ((loadgenAfter - loadgenBefore) * 1000) / done.ok : Number.NaN,
  };
}
