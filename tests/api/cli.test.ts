// Protects the first-run experience: the built CLI starts on the embedded database with no setup,
// prints its URL and a root key once (also saved 0600), and that key creates a workspace and a hook.
// One process per data dir (a second is refused in one line, the first goes on), owner-only files,
// and a start with another encryption key refused before serving. On PostgreSQL, several processes
// starting at once migrate safely and create exactly one root key, and a missing database is one line.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../support/db";

const root = join(import.meta.dirname, "../..");
const running: ChildProcess[] = [];

interface Started {
  url: string;
  rootKey: string | null;
  output: () => string;
  stop: () => Promise<number | null>;
  /** SIGKILL: no chance to clean up. */
  kill: () => void;
}

/** Runs a start that must fail: its exit status and the non-empty lines it wrote to stderr. */
function refused(env: Record<string, string>): { status: number | null; lines: string[] } {
  try {
    execFileSync(process.execPath, [join(root, "dist/cli.js"), "serve"], {
      env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    return { status: 0, lines: [] };
  } catch (error) {
    const { status, stderr } = error as { status: number | null; stderr: Buffer };
    return { status, lines: String(stderr).split("\n").filter(Boolean) };
  }
}

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [join(root, "dist/cli.js"), "serve"], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The URL and, on a first start, the root key are printed in one write.
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({
          url,
          rootKey: /root API key \(shown once\): (\S+)/.exec(output)?.[1] ?? null,
          output: () => output,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
          kill: () => child.kill("SIGKILL"),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

async function call(base: string, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

describe("hookrun serve on the embedded database", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "hookrun-cli-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("starts with nothing configured, prints a root key once, and the key works", async () => {
    const first = await start({ HOOKRUN_DATA_DIR: dataDir });
    expect(first.rootKey).toMatch(/^hr_/);
    const keyFile = join(dataDir, "root.key");
    expect(readFileSync(keyFile, "utf8").trim()).toBe(first.rootKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "encryption.key")).mode & 0o777).toBe(0o600);

    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const key = first.rootKey ?? "";
    const ws = await call(first.url, "POST", "/v1/workspaces", key, { name: "acme" });
    expect(ws.status).toBe(201);
    const hook = await call(first.url, "POST", `/v1/workspaces/${ws.body.id}/hooks`, key, {
      kind: "callback",
      name: "crm",
      events: ["verification"],
      urls: ["https://crm.example.com/hooks"],
      headers: { "x-api-key": "kept-across-restarts" },
    });
    expect(hook.status).toBe(201);
    expect(await first.stop()).toBe(0);

    // Second start: same data, no new key printed, secrets still readable with the saved encryption key.
    const second = await start({ HOOKRUN_DATA_DIR: dataDir });
    expect(second.rootKey).toBeNull();
    expect(second.output()).not.toContain("hr_");
    const again = await call(second.url, "GET", `/v1/workspaces/${ws.body.id}/hooks/${hook.body.id}`, key);
    expect(again.status).toBe(200);
    expect(again.body.headers).toEqual({ "x-api-key": "••••arts" });
    await second.stop();
  });

  it("refuses a second process on the same data dir in one line, while the first goes on", async () => {
    const first = await start({ HOOKRUN_DATA_DIR: dataDir });
    try {
      const second = refused({ HOOKRUN_DATA_DIR: dataDir });
      expect(second.status).toBe(1);
      expect(second.lines).toEqual([expect.stringContaining(`${dataDir} is in use by hookrun process`)]);
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    // The first released it on a clean stop: a new start takes it.
    const again = await start({ HOOKRUN_DATA_DIR: dataDir });
    await again.stop();
  });

  it("takes over the lock of a killed process", async () => {
    const first = await start({ HOOKRUN_DATA_DIR: dataDir });
    first.kill();
    await first.stop();
    expect(readdirSync(dataDir)).toContain("hookrun.pid");
    const second = await start({ HOOKRUN_DATA_DIR: dataDir });
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    await second.stop();
  });

  it("keeps the data dir owner-only, whatever the umask", () => {
    const modes = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((entry) => {
        const path = join(entry.parentPath, entry.name);
        const mode = statSync(path).mode & 0o777;
        return (entry.isDirectory() ? mode !== 0o700 : mode !== 0o600) ? [`${path} ${mode.toString(8)}`] : [];
      });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(modes(dataDir)).toEqual([]);
  });

  it("refuses another encryption key before serving, naming HOOKRUN_ENCRYPTION_KEY", () => {
    const other = refused({
      HOOKRUN_DATA_DIR: dataDir,
      HOOKRUN_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
    });
    expect(other.status).toBe(1);
    expect(other.lines).toEqual([
      expect.stringMatching(/^HOOKRUN_ENCRYPTION_KEY is not the key this database/),
    ]);
  });

  it("refuses an operations workspace this database does not hold, naming HOOKRUN_OPERATIONS_WORKSPACE", () => {
    const missing = refused({
      HOOKRUN_DATA_DIR: dataDir,
      HOOKRUN_OPERATIONS_WORKSPACE: "ws_00000000000000000000",
    });
    expect(missing.status).toBe(1);
    expect(missing.lines.join("\n")).toMatch(
      /HOOKRUN_OPERATIONS_WORKSPACE: no workspace ws_0{20} in this database/,
    );
  });

  it("fails fast with one clear line per bad variable", () => {
    let stderr = "";
    try {
      execFileSync(process.execPath, [join(root, "dist/cli.js"), "serve"], {
        env: { PATH: process.env.PATH ?? "", PORT: "http", HOOKRUN_EGRESS_ALLOW: "everything" },
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
      expect((error as { status: number }).status).toBe(1);
    }
    expect(stderr).toMatch(/PORT: must be a whole number/);
    expect(stderr).toMatch(/HOOKRUN_EGRESS_ALLOW: entry 0 must be a CIDR/);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("hookrun serve on PostgreSQL", () => {
  it("lets three processes start at once: one migration run, one root key", async () => {
    const database = await createPostgresDatabase();
    try {
      const env = {
        DATABASE_URL: database.url,
        HOOKRUN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      };
      const started = await Promise.all([start(env), start(env), start(env)]);
      const keys = started.map((s) => s.rootKey).filter(Boolean);
      expect(keys).toHaveLength(1);
      const ws = await call(started[2]?.url ?? "", "POST", "/v1/workspaces", keys[0] ?? "", { name: "pg" });
      expect(ws.status).toBe(201);
      await Promise.all(started.map((s) => s.stop()));
    } finally {
      await database.drop();
    }
  });

  it("says in one line that the database does not exist", () => {
    const url = new URL(process.env.TEST_DATABASE_URL ?? "");
    url.pathname = "/hookrun_no_such_database";
    const out = refused({
      DATABASE_URL: url.href,
      HOOKRUN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
    });
    expect(out.status).toBe(1);
    expect(out.lines).toEqual([
      'cannot open the database at DATABASE_URL: database "hookrun_no_such_database" does not exist',
    ]);
  });
});
