// An in-process hookrun API on a test database, driven through app.request(): no sockets, real SQL.
import { randomBytes } from "node:crypto";
import { type EgressOptions, FunctionRuntime } from "@hookrun/runtime";
import { type AppDeps, createApp } from "../../api/src/app";
import type { Db } from "../../api/src/db/connect";
import { DispatchWorker, type WorkerOptions } from "../../api/src/dispatch/worker";
import { createLogger } from "../../api/src/observability/logger";
import { createMetrics, type Metrics } from "../../api/src/observability/metrics";
import { generateApiKey, hashApiKey } from "../../api/src/security/api-keys";
import { createSecretBox, type SecretBox } from "../../api/src/security/secret-box";
import { HotCache } from "../../api/src/services/hot-cache";
import type { OpenedTestDatabase, TestDatabase } from "./db";

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON and assert on it
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  key?: string | undefined;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface WorkspaceKeys {
  ws: string;
  admin: string;
  operator: string;
  ingest: string;
}

export interface TestApi {
  db: Db;
  metrics: Metrics;
  /** The app's JSON log lines, in order. */
  logLines: string[];
  listen: OpenedTestDatabase["listen"];
  /** The database's connection string, for child processes (Postgres only). */
  url: string | null;
  box: SecretBox;
  runtime: FunctionRuntime;
  rootKey: string;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** The app itself, for a real HTTP server in front of it (browser tests). */
  fetch: (request: Request) => Response | Promise<Response>;
  /** Every method and path the app's router holds a handler or middleware for (Hono's `app.routes`). */
  routes: { method: string; path: string }[];
  /** A workspace with one key of each role. */
  workspace(name: string): Promise<WorkspaceKeys>;
  close(): Promise<void>;
}

/** Tests reach receivers on loopback only; the guard must let exactly that through. */
export const testEgress: EgressOptions = { allow: ["127.0.0.1/32"] };

/** What a second app over a test API's database shares with it (its database, runtime, root key). */
export const sharedAppDeps = (api: TestApi) =>
  ({
    db: api.db,
    box: api.box,
    runtime: api.runtime,
    egress: testEgress,
    listen: api.listen,
    rootKeyHash: hashApiKey(api.rootKey),
  }) satisfies Partial<AppDeps>;

export async function startTestApi(
  target: TestDatabase,
  options: {
    egress?: EgressOptions;
    encryptionKey?: Buffer;
    editorDir?: string;
    /** Portal links' base and the origins that may frame /portal (createApp's `portal`). */
    portal?: { publicUrl: string; origins: readonly string[] };
    /** The time portal sessions expire by; a test moves it. */
    clock?: () => Date;
    /** Run with a started key and catalog cache, as `serve` does. */
    cached?: boolean;
  } = {},
): Promise<TestApi> {
  const egress = options.egress ?? testEgress;
  const { db, close, listen, url } = await target.open();
  const rootKey = generateApiKey();
  const box = createSecretBox(options.encryptionKey ?? randomBytes(32));
  // Every log line is kept as JSON, so tests can read them (and a 500 can show its error).
  const logLines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void logLines.push(line) });
  const runtime = new FunctionRuntime({ executors: 1, egress });
  const metrics = createMetrics({ db, runtime });
  const cache = options.cached ? new HotCache() : undefined;
  await cache?.start(listen);
  const app = createApp({
    db,
    box,
    runtime,
    egress,
    listen,
    rootKeyHash: hashApiKey(rootKey),
    logger,
    metrics,
    editorDir: options.editorDir,
    portal: options.portal,
    clock: options.clock,
    cache,
  });

  async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: leave the text for the assertion to show
    }
    if (res.status >= 500)
      throw new Error(
        `${method} ${path} answered ${res.status}: ${text} ${logLines.findLast((l) => l.includes('"level":50'))}`,
      );
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async function workspace(name: string): Promise<WorkspaceKeys> {
    const created = await request("POST", "/v1/workspaces", { key: rootKey, body: { name } });
    if (created.status !== 201) throw new Error(`workspace: ${JSON.stringify(created.body)}`);
    const ws: string = created.body.id;
    const key = async (role: string) => {
      const res = await request("POST", `/v1/workspaces/${ws}/keys`, {
        key: rootKey,
        body: { name: role, role },
      });
      return res.body.key as string;
    };
    return { ws, admin: await key("admin"), operator: await key("operator"), ingest: await key("ingest") };
  }

  const closeAll = async () => {
    await cache?.stop();
    await runtime.close();
    await close();
  };
  return {
    db,
    box,
    runtime,
    metrics,
    logLines,
    listen,
    url,
    rootKey,
    request,
    fetch: (req: Request) => app.fetch(req),
    routes: app.routes.map(({ method, path }) => ({ method, path })),
    workspace,
    close: closeAll,
  };
}

export const callbackHook = (overrides: Record<string, unknown> = {}) => ({
  kind: "callback",
  name: `cb-${randomBytes(3).toString("hex")}`,
  events: ["verification"],
  urls: ["https://receiver.example.com/hooks"],
  ...overrides,
});

export const functionHook = (overrides: Record<string, unknown> = {}) => ({
  kind: "function",
  name: `fn-${randomBytes(3).toString("hex")}`,
  events: ["verification"],
  ...overrides,
});

/** Time passes for a delivery: its next scheduled attempt is due now (poke the worker after). */
export async function makeDue(db: Db, deliveryId: string): Promise<void> {
  await db
    .updateTable("deliveries")
    .set({ next_attempt_at: new Date() })
    .where("id", "=", deliveryId)
    .execute();
}

/** A dispatch worker on a TestApi's database, polling fast; tests pass what they need to differ. */
export function testWorker(api: TestApi, options: WorkerOptions = {}): DispatchWorker {
  return new DispatchWorker(
    {
      db: api.db,
      box: api.box,
      runtime: api.runtime,
      egress: testEgress,
      listen: api.listen,
      metrics: api.metrics,
      log: () => {},
    },
    { pollMs: 200, ...options },
  );
}
