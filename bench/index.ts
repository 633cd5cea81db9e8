// `npm run bench`: every benchmark, one after the other (never two at once: they would measure each
// other), each in its own process with its own settings, and at the end the target lines they all
// printed, gathered in one place. Prints figures, asserts nothing; exits non-zero only if a bench
// itself failed to run. BENCH_SKIP=runtime,logs,... leaves benches out.
import { spawn } from "node:child_process";

interface Bench {
  name: string;
  script: string;
  env?: Record<string, string>;
}

const benches: Bench[] = [
  { name: "runtime", script: "bench/runtime.ts" },
  // As `npm start` runs (one `serve`: API and worker), posters in their own process; then the
  // scale-out comparison of one and two worker processes.
  {
    name: "dispatch",
    script: "bench/dispatch/index.ts",
    env: { BENCH_API: "1", BENCH_WORKER: "serve", BENCH_POSTERS: "128", BENCH_SCALE_OUT: "1" },
  },
  { name: "logs", script: "bench/logs.ts" },
  { name: "http", script: "bench/http/index.ts" },
  { name: "embedded", script: "bench/embedded/index.ts" },
  { name: "fifo", script: "bench/fifo/index.ts" },
  // A hook's rateLimit against what its receiver got: two worker processes on PostgreSQL, then PGlite.
  { name: "rate", script: "bench/rate-limit/index.ts" },
];

/** A line that states a target and its figure: `[target ...]` or `issue 16, <database>: ...`. */
const isTargetLine = (line: string) => line.includes("[target") || /\bissue \d+[,:]/.test(line);

/** Runs one bench, its output passed through as it comes; resolves with its lines and exit code. */
function run(bench: Bench): Promise<{ lines: string[]; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", bench.script], {
      env: { ...process.env, ...bench.env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      text += chunk.toString("utf8");
    });
    child.on("close", (code) => resolve({ lines: text.split("\n"), code: code ?? 1 }));
  });
}

const skipped = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const summary: string[] = [];
let failed = 0;
for (const bench of benches) {
  if (skipped.has(bench.name)) continue;
  console.log(`\n=== bench: ${bench.name} (${bench.script}) ===`);
  const started = Date.now();
  const { lines, code } = await run(bench);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (code !== 0) failed++;
  summary.push(`${bench.name} (${seconds} s${code === 0 ? "" : `, exit ${code}`}):`);
  for (const line of lines.filter(isTargetLine)) summary.push(`  ${line.trim()}`);
}
console.log(`\n=== targets, as each bench printed them above (one run, ${new Date().toISOString()}) ===`);
for (const line of summary) console.log(line);
process.exitCode = failed > 0 ? 1 : 0;
