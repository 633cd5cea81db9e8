// hookrun serve | migrate. Parses config once, fails fast with a clear message, shuts down cleanly.
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { provisionRootKey, resolveEncryptionKey } from "./bootstrap";
import { type Config, ConfigError, loadConfig } from "./config";
import { openDatabase } from "./db/connect";
import { migrateToLatest } from "./db/migrate";
import { hashApiKey } from "./security/api-keys";
import { createSecretBox } from "./security/secret-box";

const USAGE = `usage: hookrun <command>

commands:
  serve      apply migrations, then serve the API on HOST:PORT
  migrate    apply pending migrations and exit

configuration comes from environment variables; see the README.`;

async function openAndMigrate(config: Config) {
  const opened = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const { applied } = await migrateToLatest(opened.db);
  if (applied.length > 0) console.log(`migrations applied: ${applied.join(", ")}`);
  return opened;
}

async function migrate(config: Config): Promise<void> {
  const opened = await openAndMigrate(config);
  await opened.close();
}

async function serveApi(config: Config): Promise<void> {
  const opened = await openAndMigrate(config);
  const box = createSecretBox(await resolveEncryptionKey(config));
  const root = await provisionRootKey(opened.db, config, opened.kind === "pglite");
  const app = createApp({
    db: opened.db,
    box,
    rootKeyHash: config.rootKey ? hashApiKey(config.rootKey) : undefined,
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
    console.log(`hookrun listening on http://${host}:${info.port} (database: ${opened.kind})`);
    if (root.kind === "created") {
      console.log(`\nroot API key (shown once): ${root.key}`);
      if (root.file) console.log(`also saved to ${root.file} (mode 0600)`);
      console.log("");
    }
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close(async () => {
      await opened.close();
      process.exit(0);
    });
    // Long-lived connections must not hold the process hostage.
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    process.exit(command || values.help ? 0 : 2);
  }
  const config = loadConfig();
  if (command === "serve") return serveApi(config);
  if (command === "migrate") return migrate(config);
  console.error(`unknown command "${command}"\n\n${USAGE}`);
  process.exit(2);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
