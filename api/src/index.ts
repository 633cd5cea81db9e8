// The api package's public face, for tests, the CLI and the editor's typed client.
export { type AppDeps, type AppType, createApp } from "./app";
export { type Config, ConfigError, loadConfig } from "./config";
export { openDatabase } from "./db/connect";
export { migrateToLatest } from "./db/migrate";
