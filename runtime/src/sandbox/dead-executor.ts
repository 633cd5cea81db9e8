// What becomes of the runs a dead executor held: a pure decision, so the subtle part of crash
// containment has deterministic tests. When the executor named the invocation that brought it down
// (or held only one run), that run alone fails (memory_limit for V8's out-of-memory) and is
// suspected; the others are "lost" and run again elsewhere. A blame naming no run it held (V8
// failed in an idle isolate), or none at all with several runs, ends every run as crashed and
// suspects nobody: guessing would send bystanders to the solo executors for nothing.
import type { Verdict } from "./last-words";
import type { ExecutorOutcome, RunOutcome } from "./protocol";

export type DeadRun = { id: number; started: number };
export type Fate = "lost" | { outcome: ExecutorOutcome; suspect: boolean };

export function fatesOf(runs: DeadRun[], verdict: Verdict | undefined, reason: string, now: number): Fate[] {
  const named = verdict?.invocationId;
  const blamed = runs.some((r) => r.id === named) ? named : runs.length === 1 ? runs[0]?.id : undefined;
  const oom = blamed !== undefined && verdict?.outOfMemory === true;
  return runs.map((run) => {
    if (blamed !== undefined && run.id !== blamed) return "lost";
    return {
      suspect: blamed !== undefined,
      outcome: {
        status: oom ? "memory_limit" : "crashed",
        logs: [],
        logsTruncated: false,
        error: oom
          ? { name: "MemoryLimitError", message: "the function exceeded its memory limit" }
          : { name: "SandboxCrashed", message: `the sandbox process ${reason}` },
        wallMs: now - run.started,
        cpuMs: 0,
        heapBytes: 0,
        footprintBytes: 0,
        discarded: true,
      },
    };
  });
}

/** A run lost with two executors in a row that it was not blamed for: give up on it. */
export function lostTwice(): RunOutcome {
  return {
    status: "crashed",
    logs: [],
    logsTruncated: false,
    error: { name: "SandboxCrashed", message: "the sandbox process exited twice during this run" },
    wallMs: 0,
    cpuMs: 0,
    heapBytes: 0,
    fetchCount: 0,
  };
}
