// Protects the machine and the service from resource attacks: sync and async infinite loops, memory
// bombs (arrays, strings, ArrayBuffers), deep recursion, microtask and timer floods, giant console
// output, and allocations that abort a whole V8 process. Each ends with its documented outcome, the
// runtime keeps serving, and a well-behaved function of another workspace runs fine meanwhile.
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRuntime, type RunStatus } from "../../runtime/src/index";
import { expectStillServing, runSource, withNeighbour } from "./helpers";

const rt = new FunctionRuntime({ egress: { allow: [] } });
afterAll(() => rt.close());

type Case = [
  label: string,
  source: string,
  limits: { memoryMb?: number; timeoutMs?: number; cpuMs?: number },
  status: RunStatus,
];

const body = (code: string) => `export default async () => { ${code} }`;
const ROOMY = { timeoutMs: 10_000, cpuMs: 10_000 };

const CASES: Case[] = [
  ["a sync infinite loop (CPU budget)", body("for (;;) {}"), { timeoutMs: 5000, cpuMs: 200 }, "cpu_limit"],
  ["a sync infinite loop (wall clock)", body("for (;;) {}"), { timeoutMs: 300, cpuMs: 5000 }, "timeout"],
  ["an async infinite loop", body("for (;;) { await null; }"), { timeoutMs: 5000, cpuMs: 200 }, "cpu_limit"],
  // The resolver is kept reachable: an unreachable one lets ivm report the promise as abandoned.
  [
    "a promise that never settles",
    body("await new Promise((r) => { globalThis.keep = r; });"),
    { timeoutMs: 300 },
    "timeout",
  ],
  [
    "a loop after an await",
    body("await new Promise((r) => setTimeout(r, 5)); while (true) {}"),
    { timeoutMs: 300, cpuMs: 5000 },
    "timeout",
  ],
  [
    "work left running after returning",
    body("(async () => { for (;;) await null; })(); return 1;"),
    { timeoutMs: 5000, cpuMs: 200 },
    "cpu_limit",
  ],
  [
    "a microtask flood",
    // f returns nothing: each microtask queues the next and nothing piles up, so only the CPU limit
    // can end it. (Returning the promise would chain every one to the next, growing the heap, and
    // then the memory limit may win the race: the exploding flood below covers that.)
    body("const f = () => { Promise.resolve().then(f); }; f(); await new Promise(() => {});"),
    { timeoutMs: 5000, cpuMs: 300 },
    "cpu_limit",
  ],
  [
    "an exploding microtask flood",
    body("const f = () => Promise.resolve().then(() => { f(); f(); }); f(); await new Promise(() => {});"),
    { memoryMb: 16, ...ROOMY },
    "memory_limit",
  ],
  [
    "a timer flood",
    body(
      "const f = () => { try { setTimeout(f, 0); setTimeout(f, 0); } catch {} }; f(); await new Promise((r) => { globalThis.keep = r; });",
    ),
    { timeoutMs: 400 },
    "timeout",
  ],
  [
    "an array bomb",
    body("const a = []; for (;;) a.push({ x: Math.random() });"),
    { memoryMb: 16, ...ROOMY },
    "memory_limit",
  ],
  [
    "a string bomb",
    body("const a = []; for (let i = 0; ; i++) a.push('y'.repeat(1 << 20) + i);"),
    { memoryMb: 16, ...ROOMY },
    "memory_limit",
  ],
  [
    "an ArrayBuffer bomb",
    body("const a = []; for (;;) a.push(new ArrayBuffer(1 << 20));"),
    { memoryMb: 16, ...ROOMY },
    "memory_limit",
  ],
  [
    "one huge ArrayBuffer",
    body("return new Uint8Array(1 << 30).length;"),
    { memoryMb: 16, ...ROOMY },
    "memory_limit",
  ],
  [
    "a doubling string (V8's string length cap)",
    body("let s = 'x'; for (;;) s += s;"),
    { memoryMb: 16, ...ROOMY },
    "error",
  ],
  ["deep recursion", body("const f = (n) => f(n + 1) + 1; return f(0);"), ROOMY, "error"],
];

describe("resource attacks", () => {
  it.each(CASES)("%s ends as the documented outcome", async (_label, source, limits, status) => {
    const out = await withNeighbour(rt, () => runSource(rt, source, { limits }));
    expect(out.status, JSON.stringify(out.error)).toBe(status);
    if (status !== "error") expect(out.error?.name).toMatch(/Timeout|CpuLimit|MemoryLimit/);
    expect(out.wallMs).toBeLessThan(10_000);
  });

  it("caps giant console output at 200 lines / 64 KB and says so", async () => {
    const out = await withNeighbour(rt, () =>
      runSource(
        rt,
        body(
          "for (let i = 0; i < 1e5; i++) console.log('line', i, 'x'.repeat(1000)); console.log('y'.repeat(1e6)); return 'done';",
        ),
      ),
    );
    expect(out.status).toBe("ok");
    expect(out.result).toBe("done");
    expect(out.logsTruncated).toBe(true);
    expect(out.logs.length).toBeLessThanOrEqual(200);
    const bytes = out.logs.reduce((n, l) => n + Buffer.byteLength(l.message), 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it("caps one giant console line", async () => {
    const out = await runSource(rt, body("console.log('z'.repeat(5e6));"));
    expect(out.logsTruncated).toBe(true);
    expect(out.logs[0]?.message.length).toBe(64 * 1024);
  });

  it("refuses limits outside the documented bounds (a caller bug)", async () => {
    await expect(runSource(rt, body("return 1"), { limits: { memoryMb: 4 } })).rejects.toThrow(RangeError);
    await expect(runSource(rt, body("return 1"), { limits: { timeoutMs: 60_000 } })).rejects.toThrow(
      RangeError,
    );
  });
});

describe("a crashing executor", () => {
  it("an allocation that aborts V8 ends the run (crashed, or memory_limit when the executor names it); the executor restarts and the host keeps serving", async () => {
    const before = rt.stats().restarts;
    const out = await withNeighbour(rt, () =>
      runSource(rt, body("return new Array(1e9).fill(0).length;"), { limits: { memoryMb: 16, ...ROOMY } }),
    );
    // The executor dies either way; two documented mechanisms race to say why. If its own last
    // words (V8's out-of-memory, naming this run) are read first, the run ends as memory_limit
    // (dead-executor.ts); if the process is killed first, as crashed. Nothing else may come out.
    expect([
      ["crashed", "SandboxCrashed"],
      ["memory_limit", "MemoryLimitError"],
    ]).toContainEqual([out.status, out.error?.name]);
    expect(rt.stats().restarts).toBe(before + 1);
    await expectStillServing(rt);
  });

  it("an executor killed from outside ends its in-flight runs as crashed", async () => {
    const pids = () => {
      const slots = (
        rt as unknown as { slots: ({ pid?: number; inFlight: Map<number, unknown> } | undefined)[] }
      ).slots;
      return slots.filter((s) => s && s.inFlight.size > 0).map((s) => s?.pid);
    };
    const pending = runSource(rt, body("await new Promise(() => {});"), { limits: { timeoutMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 200));
    for (const pid of pids()) if (pid) process.kill(pid, "SIGKILL");
    const out = await pending;
    expect(out.status).toBe("crashed");
    await expectStillServing(rt);
  });
});
