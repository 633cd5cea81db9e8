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
    ctx: CTX,
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
