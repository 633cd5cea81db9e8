// Shared helpers for the runtime tests: compile-and-run in one call, and a "neighbour" check that a
// well-behaved function of another workspace keeps working while an attack runs.
import { expect } from "vitest";
import { compileFunction, type FunctionRuntime, type Limits, type RunOutcome } from "../../runtime/src/index";

export const CTX = {
  secrets: { TOKEN: "s3cret" },
  hook: { id: "hook_1", name: "test hook" },
  attempt: 1,
  deliveryId: "dlv_1",
};

export const LIMITS: Limits = { memoryMb: 32, timeoutMs: 2000, cpuMs: 1000 };

let counter = 0;
/** A version key nobody else uses: forces a cold start on the least busy executor. */
export const freshKey = (label = "v") => `${label}-${process.pid}-${++counter}`;

export type RunOpts = {
  limits?: Partial<Limits>;
  workspaceId?: string;
  /** The hook the run belongs to (default CTX's hook_1). */
  hookId?: string;
  versionKey?: string;
  event?: unknown;
};

export async function runSource(
  rt: FunctionRuntime,
  source: string,
  opts: RunOpts = {},
): Promise<RunOutcome> {
  const compiled = await compileFunction(source);
  if (!compiled.ok) throw new Error(`compile failed: ${JSON.stringify(compiled.diagnostics)}`);
  return rt.run({
    workspaceId: opts.workspaceId ?? "ws_attacker",
    versionKey: opts.versionKey ?? freshKey(),
    code: compiled.code,
    sourceMap: compiled.sourceMap,
    event: opts.event ?? { type: "test", data: { n: 1 } },
    ctx: opts.hookId ? { ...CTX, hook: { ...CTX.hook, id: opts.hookId } } : CTX,
    limits: { ...LIMITS, ...opts.limits },
  });
}

const NEIGHBOUR = `export default async (event) => {
  await new Promise((r) => setTimeout(r, 20));
  return { echoed: event.data.n };
}`;

/** Runs `attack` while a well-behaved function of another workspace runs; asserts that one is ok. */
export async function withNeighbour(
  rt: FunctionRuntime,
  attack: () => Promise<RunOutcome>,
): Promise<RunOutcome> {
  const pending = attack();
  const neighbour = runSource(rt, NEIGHBOUR, { workspaceId: "ws_neighbour" });
  const [outcome, good] = await Promise.all([pending, neighbour]);
  expect(good.status, JSON.stringify(good.error)).toBe("ok");
  expect(good.result).toEqual({ echoed: 1 });
  return outcome;
}

/** After an attack the runtime must still serve ordinary work. */
export async function expectStillServing(rt: FunctionRuntime): Promise<void> {
  const after = await runSource(rt, "export default async () => 'still here'", { workspaceId: "ws_after" });
  expect(after.status).toBe("ok");
  expect(after.result).toBe("still here");
}

export type Watched = {
  outcome: RunOutcome;
  /** Executor restarts while the attack ran. */
  restarts: number;
  /** The longest a bystander of another workspace waited for one answer. */
  bystanderMaxMs: number;
  /** The longest this (the host's) event loop was blocked. */
  hostMaxLagMs: number;
};

/**
 * Runs `attack` while a bystander of another workspace keeps calling a quick function and a probe
 * measures this process's event loop (the API's, in the service). Asserts what every attack test
 * needs: each bystander call answered ok within 2 s, and the host never blocked for 500 ms.
 */
export async function underAttack(rt: FunctionRuntime, attack: () => Promise<RunOutcome>): Promise<Watched> {
  const restartsBefore = rt.stats().restarts;
  let hostMaxLagMs = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    hostMaxLagMs = Math.max(hostMaxLagMs, now - last - 20);
    last = now;
  }, 20);
  let done = false;
  let bystanderMaxMs = 0;
  const bystanderStatuses: string[] = [];
  const bystander = (async () => {
    while (!done) {
      const t = performance.now();
      const out = await runSource(rt, "export default (e) => e.data.n", {
        workspaceId: "ws_bystander",
        versionKey: `bystander-${process.pid}`,
      });
      bystanderMaxMs = Math.max(bystanderMaxMs, performance.now() - t);
      bystanderStatuses.push(out.status);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    const outcome = await attack();
    done = true;
    await bystander;
    expect(bystanderStatuses.length).toBeGreaterThan(0);
    expect(bystanderStatuses.filter((s) => s !== "ok")).toEqual([]);
    expect(bystanderMaxMs).toBeLessThan(2000);
    expect(hostMaxLagMs).toBeLessThan(500);
    return { outcome, restarts: rt.stats().restarts - restartsBefore, bystanderMaxMs, hostMaxLagMs };
  } finally {
    done = true;
    clearInterval(probe);
  }
}
