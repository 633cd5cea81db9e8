// hookrun serve | worker | migrate. Parses config once, fails fast with a clear message, and shuts
// down cleanly: the API stops accepting, the worker finishes or hands back its deliveries.
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FunctionRuntime } from "@hookrun/runtime";
import { createApp } from "./app";
import { provisionRootKey, resolveEncryptionKey } from "./bootstrap";
import { type Config, ConfigError, loadConfig } from "./config";
import { type OpenedDatabase, openDatabase } from "./db/connect";
import { DataDirLocked } from "./db/data-dir-lock";
import { migrateToLatest } from "./db/migrate";
import { DispatchWorker } from "./dispatch/worker";
import { createHttpServer } from "./http/node-server";
import { startPruner } from "./maintenance/pruner";
import { createLogger, type Logger } from "./observability/logger";
import { createMetrics, type Metrics } from "./observability/metrics";
import { hashApiKey } from "./security/api-keys";
import { checkEncryptionKey, WrongEncryptionKey } from "./security/key-check";
import { createSecretBox, type SecretBox } from "./security/secret-box";
import { HotCache } from "./services/hot-cache";

const USAGE = `usage: hookrun <command> [options]

commands:
  serve [--no-worker]   apply migrations, serve the API on HOST:PORT and (unless --no-worker)
                        run the dispatch worker in the same process
  worker                apply migrations and run only the dispatch worker
  migrate               apply pending migrations and exit

configuration comes from environment variables; see the README.`;

interface Running {
  opened: OpenedDatabase;
  box: SecretBox;
  runtime: FunctionRuntime;
  logger: Logger;
  metrics: Metrics;
}

async function openAndMigrate(config: Config, logger: Logger): Promise<OpenedDatabase> {
  const opened = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    log: (message, error) => logger.error({ err: error }, message),
  });
  const { applied } = await migrateToLatest(opened.db);
  if (applied.length > 0) logger.info({ migrations: applied }, "migrations applied");
  return opened;
}

/** HOOKRUN_OPERATIONS_WORKSPACE must name a workspace of this database. */
async function checkOperationsWorkspace(opened: OpenedDatabase, id: string | undefined): Promise<void> {
  if (!id) return;
  const found = await opened.db.selectFrom("workspaces").select("id").where("id", "=", id).executeTakeFirst();
  if (!found)
    throw new ConfigError(
      `invalid configuration:\n  HOOKRUN_OPERATIONS_WORKSPACE: no workspace ${id} in this database (create it first)`,
    );
}

async function prepare(config: Config): Promise<Running> {
  const logger = createLogger(config.logLevel);
  const opened = await openAndMigrate(config, logger);
  await checkOperationsWorkspace(opened, config.operationsWorkspace);
  const box = createSecretBox(await resolveEncryptionKey(config));
  await checkEncryptionKey(opened.db, box);
  const runtime = new FunctionRuntime({
    egress: { allow: config.egressAllow },
    workspaceMemoryMb: config.workspaceFunctionMemoryMb,
    onExecutorStderr: (text) =>
      logger.warn({ executor: text.slice(0, 2000) }, "sandbox executor wrote to stderr"),
  });
  const metrics = createMetrics({ db: opened.db, runtime });
  return { opened, box, runtime, logger, metrics };
}

/** The dispatch worker and, beside it, retention pruning; returns what stops both. */
function startWorker(config: Config, running: Running): () => Promise<void> {
  const worker = new DispatchWorker(
    {
      db: running.opened.db,
      box: running.box,
      runtime: running.runtime,
      egress: { allow: config.egressAllow },
      listen: running.opened.listen,
      metrics: running.metrics,
      log: (message, error) => running.logger.error({ err: error, worker: worker.id }, message),
      // The embedded database is held by this process alone (data-dir lock).
      soleWorker: running.opened.kind === "pglite",
    },
    {
      concurrency: config.deliveryConcurrency,
      perHost: config.hostConcurrency,
      operationsWorkspace: config.operationsWorkspace ?? null,
    },
  );
  void worker.start().then(() => running.logger.info({ worker: worker.id }, "dispatch worker started"));
  const stopPruner = startPruner(running.opened.db, {
    retentionDays: config.retentionDays,
    vacuum: running.opened.kind === "pglite",
    onResult: (result) =>
      running.logger.info(result, "retention: pruned expired attempts, events and portal sessions"),
    onError: (error) => running.logger.error({ err: error }, "retention: pruning failed"),
  });
  return async () => {
    await stopPruner();
    await worker.stop();
  };
}

async function serveApi(config: Config, withWorker: boolean): Promise<void> {
  const running = await prepare(config);
  const root = await provisionRootKey(running.opened.db, config, running.opened.kind === "pglite");
  const cache = new HotCache();
  await cache.start(running.opened.listen);
  const app = createApp({
    db: running.opened.db,
    box: running.box,
    runtime: running.runtime,
    egress: { allow: config.egressAllow },
    rootKeyHash: config.rootKey ? hashApiKey(config.rootKey) : undefined,
    maxEventBytes: config.maxEventBytes,
    listen: running.opened.listen,
    logger: running.logger,
    metrics: running.metrics,
    // dist/cli.js serves the editor that the same build wrote beside it.
    editorDir: fileURLToPath(new URL("./editor/", import.meta.url)),
    cache,
    portal: { publicUrl: config.publicUrl, origins: config.portalOrigins },
  });
  const stopWorker = withWorker ? startWorker(config, running) : null;
  const server = createHttpServer(app.fetch);
  server.listen(config.port, config.host, () => {
    const info = server.address() as AddressInfo;
    const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
    // One write, so whoever reads the output sees the URL and the key together.
    const lines = [`hookrun listening on http://${host}:${info.port} (database: ${running.opened.kind})`];
    if (root.kind === "created") {
      lines.push("", `root API key (shown once): ${root.key}`);
      if (root.file) lines.push(`also saved to ${root.file} (mode 0600)`);
      lines.push("");
    }
    console.log(lines.join("\n"));
  });
  onShutdown(running.logger, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopWorker?.();
    await cache.stop();
    await running.runtime.close();
    await running.opened.close();
  });
}

async function runWorker(config: Config): Promise<void> {
  const running = await prepare(config);
  const stopWorker = startWorker(config, running);
  onShutdown(running.logger, async () => {
    await stopWorker();
    await running.runtime.close();
    await running.opened.close();
  });
}

/** Runs `stop` once on SIGINT/SIGTERM; a stop that hangs is cut short so the process does exit. */
function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => process.exit(1), 30_000).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" }, "no-worker": { type: "boolean" } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    process.exit(command || values.help ? 0 : 2);
  }
  const config = loadConfig();
  if (command === "serve") return serveApi(config, !values["no-worker"]);
  if (command === "worker") return runWorker(config);
  if (command === "migrate") {
    const opened = await openAndMigrate(config, createLogger(config.logLevel));
    return opened.close();
  }
  console.error(`unknown command "${command}"\n\n${USAGE}`);
  process.exit(2);
}

/** One line for the failures a start is expected to meet; undefined for bugs (printed whole). */
function startupProblem(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof DataDirLocked || error instanceof WrongEncryptionKey)
    return error.message;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  // PostgreSQL's refusals (no such database, authentication) and the network's; never the URL
  // itself, which may hold a password.
  if (
    typeof code === "string" &&
    /^(3D000|28P01|28000|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN)$/.test(code)
  )
    return `cannot open the database at DATABASE_URL: ${typeof message === "string" && message ? message : code}`;
  return undefined;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(startupProblem(error) ?? error);
  process.exit(1);
});
