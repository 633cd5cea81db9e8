// hookrun as `npm start` runs it: `node dist/cli.js serve` with default settings, on the embedded
// database (a temp data dir) or on PostgreSQL (DATABASE_URL and the encryption key it requires).
// Only the port is chosen (a free one), and stdout goes to a file: it carries the root key, printed
// once on first start, and the access log that the default level (info) writes for every request.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stopChild } from "../dispatch/services";
import { sleep } from "../dispatch/wait";
import { PROFILE_DIR } from "./options";

const cli = join(import.meta.dirname, "../../dist/cli.js");

export interface Service {
  child: ChildProcess;
  pid: number;
  url: string;
  rootKey: string;
  /** The embedded database's data dir (unused on PostgreSQL). */
  dataDir: string;
  stop(): Promise<void>;
}

/** What a caller may add: variables (e.g. the egress allow-list), and a data dir kept after stop. */
export interface ServiceExtras {
  env?: Record<string, string>;
  /** stop() leaves `dataDir` for the caller to read (and remove). */
  keepData?: boolean;
}

/** Starts `serve` on `databaseUrl` (PostgreSQL) or, without one, on a fresh embedded data dir. */
export async function startService(databaseUrl: string | null, extras: ServiceExtras = {}): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), "hookrun-bench-http-"));
  const port = await freePort();
  const stdout = join(dir, "stdout.log");
  const out = openSync(stdout, "w");
  const child = spawn(
    process.execPath,
    [...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []), cli, "serve"],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        PORT: String(port),
        HOOKRUN_DATA_DIR: join(dir, "data"),
        ...extras.env,
        ...(databaseUrl
          ? { DATABASE_URL: databaseUrl, HOOKRUN_ENCRYPTION_KEY: randomBytes(32).toString("base64") }
          : {}),
      },
      stdio: ["ignore", out, "inherit"],
    },
  );
  closeSync(out);
  const stop = async () => {
    await stopChild(child);
    if (!extras.keepData) rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    const key = /root API key \(shown once\): (\S+)/.exec(readFileSync(stdout, "utf8"))?.[1];
    const up =
      key &&
      (await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ));
    if (key && up && child.pid)
      return { child, pid: child.pid, url, rootKey: key, dataDir: join(dir, "data"), stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`hookrun serve did not start: ${readFileSync(stdout, "utf8").slice(-2000)}`);
}
