// How the HTTP bench prints: one table per database (throughput, latency, errors, the ratios the issue
// sets targets on, CPU per request by process), the targets' verdicts, and the round trips.
import { f0, f1 } from "../dispatch/figures";
import type { Figures } from "./load";
import { CONNECTIONS, SECONDS, WARMUP_SECONDS } from "./options";
import type { RoundTrips } from "./round-trips";

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "-");
// CPU per request: the light routes now cost well under 0.1 ms, where a second decimal hides changes.
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");
const row = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");

export function printHeader(): void {
  console.log(
    `bench/http: hookrun serve (node dist/cli.js serve, default settings) under autocannon, ` +
      `${CONNECTIONS} connections, ${SECONDS} s per target after ${WARMUP_SECONDS} s warm-up; ` +
      `ratios are taken within one database's run`,
  );
}

export function printTable(label: string, bare: Figures | undefined, figures: Figures[]): void {
  const healthz = figures.find((f) => f.name === "healthz");
  const widths = [16, 8, 7, 7, 7, 7, 9, 10, 10, 9, 8];
  console.log(`\n${label}`);
  console.log(
    row(
      [
        "target",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "x bare",
        "x healthz",
        "cpu ms/req",
        "executors",
        "postgres",
        "loadgen",
      ],
      widths,
    ),
  );
  for (const f of [...(bare ? [bare] : []), ...figures]) {
    console.log(
      row(
        [
          f.name,
          f0(f.rps),
          f1(f.p50),
          f1(f.p99),
          String(f.errors),
          bare ? f2(f.rps / bare.rps) : "-",
          healthz && f !== bare ? f2(f.rps / healthz.rps) : "-",
          f3(f.cpu.service),
          f3(f.cpu.executors),
          f3(f.cpu.postgres),
          f3(f.loadgenCpu),
        ],
        widths,
      ),
    );
  }
  console.log(
    "  cpu ms/req: the serving process (the bare server's own for its row); executors: its children " +
      "(function sandboxes); postgres: the database's server backends (PostgreSQL only); loadgen: autocannon's process",
  );
  const invoke = figures.find((f) => f.name === "invoke");
  const hook = figures.find((f) => f.name === "get-hook");
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  if (invoke && bare) {
    const ratio = invoke.rps / bare.rps;
    console.log(
      `  issue 16, ${label}: invoke ${f2(ratio)}x bare (target >= 0.5: ${verdict(ratio >= 0.5)}), ` +
        `p99 ${f1(invoke.p99)} ms (target <= 20: ${verdict(invoke.p99 <= 20)})`,
    );
  }
  if (hook && healthz) {
    const ratio = hook.rps / healthz.rps;
    console.log(
      `  issue 16, ${label}: GET hook ${f2(ratio)}x /healthz (target >= 0.5: ${verdict(ratio >= 0.5)})`,
    );
  }
}

export function printRoundTrips(trips: RoundTrips[]): void {
  console.log("  database round trips per request (steady state, BEGIN/COMMIT included):");
  for (const t of trips) {
    console.log(`    ${t.name.padEnd(10)} ${f1(t.perRequest)}`);
    for (const s of t.last) console.log(`      ${s}`);
  }
}
