// The bench's in-process hookrun on its database: the app as `serve` builds it (production logger at
// error level, metrics, the key and catalog cache), its function runtime and keys, and the JSON
// calls that set up each phase's workspace and hook.

import { randomBytes } from "node:crypto";
import { FunctionRuntime } from "@hookrun/runtime";
import { createApp } from "../../api/src/app";
import type { Db, OpenedDatabase } from "../../api/src/db/connect";
import { createLogger } from "../../api/src/observability/logger";
import { createMetrics } from "../../api/src/observability/metrics";
import { generateApiKey, hashApiKey } from "../../api/src/security/api-keys";
import { createSecretBox, type SecretBox } from "../../api/src/security/secret-box";
import { progress } from "./figures";
import { EGRESS } from "./options";

export interface BenchApp {
  app: ReturnType<typeof createApp>;
  runtime: FunctionRuntime;
  box: SecretBox;
  /** The key `box` seals with, for the service processes on the same database. */
  encryptionKey: Buffer;
  rootKey: string;
  /** Whether this tree has the key and catalog cache (a baseline worktree may not). */
  cached: boolean;
  /** A workspace with an admin and an ingest key. */
  workspace(name: string): Promise<{ ws: string; admin: string; ingest: string }>;
  /** Creates a hook in `ws` with the admin key; its id. */
  createHook(ws: string, adminKey: string, hook: Record<string, unknown>): Promise<string>;
  /** Stops the cache and the runtime (after the worker: it uses the runtime). */
  close(): Promise<void>;
}

/** `db` is what the app uses (with the query counter, if any); `opened` gives its listener. */
export async function startBenchApp(db: Db, opened: Pick<OpenedDatabase, "listen">): Promise<BenchApp> {
  const encryptionKey = randomBytes(32);
  const box = createSecretBox(encryptionKey);
  const rootKey = generateApiKey();
  const runtime = new FunctionRuntime({ egress: EGRESS });
  // The production key and catalog cache, as `serve` runs it. Loaded by name, so this bench also runs
  // on a tree without it (a baseline worktree), where every request reads the database.
  const cache = await import("../../api/src/services/hot-cache").then(
    (m) => new m.HotCache(),
    () => null,
  );
  await runtime.start();
  const app = createApp({
    db,
    box,
    runtime,
    egress: EGRESS,
    rootKeyHash: hashApiKey(rootKey),
    // Production logger and metrics; errors only, to stderr, so stdout keeps just the figures.
    logger: createLogger("error", { write: (line: string) => void process.stderr.write(line) }),
    metrics: createMetrics({ db, runtime }),
    listen: opened.listen,
    ...(cache ? { cache } : {}),
  });
  await cache?.start(opened.listen);

  /** A string field of a setup call's JSON answer; the call fails unless it answered 2xx. */
  async function field(name: string, method: string, path: string, key: string, body: unknown) {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    const value: unknown = (JSON.parse(text) as Record<string, unknown>)[name];
    if (typeof value !== "string") throw new Error(`${method} ${path}: no "${name}" in ${text}`);
    return value;
  }

  return {
    app,
    runtime,
    box,
    encryptionKey,
    rootKey,
    cached: cache !== null,
    async workspace(name) {
      const ws = await field("id", "POST", "/v1/workspaces", rootKey, { name });
      const key = (role: string) =>
        field("key", "POST", `/v1/workspaces/${ws}/keys`, rootKey, { name: role, role });
      return { ws, admin: await key("admin"), ingest: await key("ingest") };
    },
    createHook: (ws, adminKey, hook) => field("id", "POST", `/v1/workspaces/${ws}/hooks`, adminKey, hook),
    async close() {
      await cache?.stop();
      await runtime.close().catch((e) => progress(`runtime close: ${String(e)}`));
    },
  };
}
