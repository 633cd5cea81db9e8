// Benchmark of the function runtime (run: npx tsx bench/runtime.ts). Prints figures, asserts
// nothing. Targets: cold p50 <= 5 ms, warm p50 <= 0.5 ms, >= 5,000 warm calls/s, <= 5 MB per warm
// isolate; and the ratio to a bare isolated-vm call loop measured in the same run, in a child
// started with --no-node-snapshot like an executor.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { compileFunction, FunctionRuntime, type RunRequest } from "../runtime/src/index";
import { IsolatePool } from "../runtime/src/sandbox/pool";

const SOURCE = "export default async (event, ctx) => ({ n: event.n + 1, hook: ctx.hook.id });";
const CTX = { secrets: { TOKEN: "x" }, hook: { id: "h1", name: "bench" }, attempt: 1, deliveryId: "d1" };
const LIMITS = { memoryMb: 32, timeoutMs: 5000, cpuMs: 1000 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(3)} ms`;

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/);
  return Number(line?.[1] ?? 0);
}

async function timed(rt: FunctionRuntime, req: RunRequest): Promise<number> {
  const t = performance.now();
  const out = await rt.run(req);
  if (out.status !== "ok") throw new Error(`bench call failed: ${JSON.stringify(out.error)}`);
  return performance.now() - t;
}

// The bare loop: isolated-vm alone, same kind of call (JSON in, copy out), no IPC, no prelude.
const BARE = `
import ivm from "isolated-vm";
const iso = new ivm.Isolate({ memoryLimit: 32 });
const ctx = iso.createContextSync();
const fn = iso.compileScriptSync("(async (e) => { const ev = JSON.parse(e); return JSON.stringify({ n: ev.n + 1 }); })").runSync(ctx, { reference: true });
const call = () => fn.apply(undefined, ['{"n":1}'], { arguments: { copy: true }, result: { promise: true, copy: true } });
for (let i = 0; i < 2000; i++) await call();
const lat = [];
for (let i = 0; i < 5000; i++) { const t = performance.now(); await call(); lat.push(performance.now() - t); }
const t0 = performance.now(); let done = 0;
await Promise.all(Array.from({ length: 32 }, async () => { while (performance.now() - t0 < 1000) { await call(); done++; } }));
const cold = [];
for (let i = 0; i < 100; i++) {
  const t = performance.now();
  const is = new ivm.Isolate({ memoryLimit: 32 }); const c = is.createContextSync();
  const f = is.compileScriptSync("(async (e) => e)").runSync(c, { reference: true });
  await f.apply(undefined, ["1"], { arguments: { copy: true }, result: { promise: true, copy: true } });
  cold.push(performance.now() - t); is.dispose();
}
lat.sort((a, b) => a - b); cold.sort((a, b) => a - b);
console.log(JSON.stringify({ warmP50: lat[lat.length >> 1], coldP50: cold[cold.length >> 1], perSec: done / ((performance.now() - t0) / 1000) }));
`;

function bareLoop(): { warmP50: number; coldP50: number; perSec: number } {
  const out = spawnSync(process.execPath, ["--no-node-snapshot", "--input-type=module", "-e", BARE], {
    encoding: "utf8",
    cwd: new URL("..", import.meta.url).pathname,
  });
  if (out.status !== 0) throw new Error(`bare loop failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop() ?? "{}");
}

async function main(): Promise<void> {
  const compiled = await compileFunction(SOURCE);
  if (!compiled.ok) throw new Error("bench function does not compile");
  const rt = new FunctionRuntime({
    egress: { allow: [] },
    executors: 2,
    maxIsolates: 500,
    maxPoolMemoryMb: 4096,
    // Every call of the throughput phase admitted at once: this measures the engine, not the
    // per-workspace budget.
    workspaceMemoryMb: 64 * LIMITS.memoryMb,
  });
  await rt.start();
  let seq = 0;
  const req = (versionKey: string): RunRequest => ({
    workspaceId: "bench",
    versionKey,
    code: compiled.code,
    sourceMap: compiled.sourceMap,
    event: { n: seq++ },
    ctx: CTX,
    limits: LIMITS,
  });

  // Warm-up: executor JIT and the prelude's code cache.
  for (let i = 0; i < 20; i++) await timed(rt, req(`warmup-${i}`));
  for (let i = 0; i < 500; i++) await timed(rt, req("warmup-0"));

  const cold: number[] = [];
  for (let i = 0; i < 200; i++) cold.push(await timed(rt, req(`cold-${i}`)));

  const warm: number[] = [];
  for (let i = 0; i < 5000; i++) warm.push(await timed(rt, req("cold-0")));

  // Throughput: 64 calls in flight over 16 warm versions (both executors busy).
  const t0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 64 }, async (_, w) => {
      while (performance.now() - t0 < 2000) {
        await timed(rt, req(`cold-${w % 16}`));
        done++;
      }
    }),
  );
  const perSec = done / ((performance.now() - t0) / 1000);

  // Memory per warm isolate: executor RSS growth over 200 more warm isolates.
  const pids = (rt as unknown as { slots: { pid?: number }[] }).slots.map((s) => s.pid ?? 0);
  const before = pids.reduce((n, pid) => n + rssKb(pid), 0);
  for (let i = 0; i < 200; i++) await timed(rt, req(`mem-${i}`));
  const after = pids.reduce((n, pid) => n + rssKb(pid), 0);
  const perIsolateMb = (after - before) / 1024 / 200;

  // A suspect (a version that brought an executor down) runs in an executor of its own per run.
  const suspects = (rt as unknown as { suspects: { mark(key: string): void } }).suspects;
  suspects.mark(IsolatePool.key("bench", CTX.hook.id, "suspect"));
  const solo: number[] = [];
  for (let i = 0; i < 20; i++) solo.push(await timed(rt, req("suspect")));
  const stats = rt.stats();
  await rt.close();

  const bare = bareLoop();
  console.log("hookrun runtime benchmark (2 executors, this machine)");
  console.log(
    `  cold start (new version)  p50 ${ms(pct(cold, 50))}  p99 ${ms(pct(cold, 99))}   [target p50 <= 5 ms]`,
  );
  console.log(
    `  warm call                 p50 ${ms(pct(warm, 50))}  p99 ${ms(pct(warm, 99))}   [target p50 <= 0.5 ms]`,
  );
  console.log(`  warm throughput           ${perSec.toFixed(0)} calls/s   [target >= 5000]`);
  console.log(
    `  memory per warm isolate   ${perIsolateMb.toFixed(2)} MB (executor RSS growth)   [target <= 5 MB]`,
  );
  console.log(
    `  bare isolated-vm loop     warm p50 ${ms(bare.warmP50)}, cold p50 ${ms(bare.coldP50)}, ${bare.perSec.toFixed(0)} calls/s`,
  );
  console.log(
    `  ratio runtime / bare      warm p50 x${(pct(warm, 50) / bare.warmP50).toFixed(1)}, cold p50 x${(pct(cold, 50) / bare.coldP50).toFixed(1)}, throughput x${(perSec / bare.perSec).toFixed(2)}`,
  );
  console.log(
    `  suspect run (own executor)  p50 ${ms(pct(solo, 50))}  p99 ${ms(pct(solo, 99))}   (x${(pct(solo, 50) / pct(warm, 50)).toFixed(0)} a warm call)`,
  );
  console.log(`  stats ${JSON.stringify(stats)}`);
}

await main();
