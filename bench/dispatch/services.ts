// hookrun itself as child processes of the bench, run from dist/ (built once, as the tests build it):
// `serve` (BENCH_API) and `worker` (BENCH_WORKER=process), on the bench's database with its keys.
import { type ChildProcess, spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import buildDist from "../../tests/support/build";
import { trackRole } from "./cpu";
import { EGRESS, PROFILE_DIR, WORKER_OPTIONS, type WorkerLimits } from "./options";
import { capped, sleep, TIMEOUT } from "./wait";

const cli = join(import.meta.dirname, "../../dist/cli.js");

let built = false;
function buildOnce(): void {
  if (built) return;
  buildDist();
  built = true;
}

/** BENCH_PROF=dir: a V8 CPU profile of each API and worker process, written there when it stops. */
const profileFlags = () => (PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []);

const serviceEnv = (url: string, encryptionKey: Buffer, limits: WorkerLimits = WORKER_OPTIONS) => ({
  PATH: process.env.PATH ?? "",
  DATABASE_URL: url,
  HOOKRUN_ENCRYPTION_KEY: encryptionKey.toString("base64"),
  HOOKRUN_EGRESS_ALLOW: EGRESS.allow.join(","),
  HOOKRUN_LOG_LEVEL: "error",
  HOOKRUN_DELIVERY_CONCURRENCY: String(limits.concurrency),
  HOOKRUN_HOST_CONCURRENCY: String(limits.perHost),
});

/** `hookrun worker` as a child process on the bench's database, with the bench's encryption key. */
export function spawnWorkerProcess(url: string, encryptionKey: Buffer, limits: WorkerLimits): ChildProcess {
  buildOnce();
  const child = spawn(process.execPath, [...profileFlags(), cli, "worker"], {
    env: serviceEnv(url, encryptionKey, limits),
    stdio: ["ignore", "ignore", "inherit"],
  });
  trackRole(child, "worker");
  return child;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `hookrun serve` (with its own worker when `withWorker`, else `--no-worker`) on a free port,
 * accepting the bench's root key; resolves once /healthz answers.
 */
export async function spawnApiProcess(
  url: string,
  encryptionKey: Buffer,
  rootKey: string,
  withWorker: boolean,
): Promise<{ child: ChildProcess; url: string }> {
  buildOnce();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...profileFlags(), cli, "serve", ...(withWorker ? [] : ["--no-worker"])],
    {
      env: {
        ...serviceEnv(url, encryptionKey),
        PORT: String(port),
        HOST: "127.0.0.1",
        HOOKRUN_ROOT_KEY: rootKey,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  trackRole(child, "api");
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url: base };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`API process on port ${port} did not start`);
}

/** SIGTERM, then SIGKILL if it has not exited 30 s later. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  if ((await capped(exited, 30_000)) === TIMEOUT) child.kill("SIGKILL");
}
