// Protects start-up configuration: defaults as documented, and one clear message per bad variable.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../api/src/config";

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig({})).toEqual({
      port: 8787,
      host: "127.0.0.1",
      databaseUrl: undefined,
      dataDir: "./.hookrun",
      rootKey: undefined,
      encryptionKey: undefined,
      egressAllow: [],
      publicUrl: "http://127.0.0.1:8787",
      portalOrigins: [],
      maxEventBytes: 262144,
      retentionDays: 30,
      deliveryConcurrency: 256,
      hostConcurrency: 64,
      workspaceFunctionMemoryMb: 1024,
      logLevel: "info",
    });
  });

  it("reads every variable", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    const config = loadConfig({
      PORT: "9000",
      HOST: "0.0.0.0",
      DATABASE_URL: "postgres://u@db:5432/hookrun",
      HOOKRUN_DATA_DIR: "/var/lib/hookrun",
      HOOKRUN_ROOT_KEY: "r".repeat(32),
      HOOKRUN_ENCRYPTION_KEY: key,
      HOOKRUN_EGRESS_ALLOW: "127.0.0.1/32, ::1/128",
      HOOKRUN_MAX_EVENT_BYTES: "1048576",
      HOOKRUN_RETENTION_DAYS: "7",
      HOOKRUN_DELIVERY_CONCURRENCY: "256",
      HOOKRUN_HOST_CONCURRENCY: "48",
      HOOKRUN_WORKSPACE_FUNCTION_MEMORY_MB: "256",
      HOOKRUN_PUBLIC_URL: "https://hooks.example.com/",
      HOOKRUN_PORTAL_ORIGINS: "https://app.example.com, http://localhost:3000",
    });
    expect(config).toMatchObject({
      publicUrl: "https://hooks.example.com",
      portalOrigins: ["https://app.example.com", "http://localhost:3000"],
      port: 9000,
      host: "0.0.0.0",
      egressAllow: ["127.0.0.1/32", "::1/128"],
      maxEventBytes: 1048576,
      retentionDays: 7,
      deliveryConcurrency: 256,
      hostConcurrency: 48,
      workspaceFunctionMemoryMb: 256,
    });
    expect(config.encryptionKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it.each([
    ["PORT", { PORT: "eighty" }],
    ["PORT", { PORT: "70000" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x" }],
    ["HOOKRUN_ROOT_KEY", { HOOKRUN_ROOT_KEY: "short" }],
    ["HOOKRUN_ENCRYPTION_KEY", { HOOKRUN_ENCRYPTION_KEY: "dG9vIHNob3J0" }],
    ["HOOKRUN_EGRESS_ALLOW", { HOOKRUN_EGRESS_ALLOW: "127.0.0.1" }],
    ["HOOKRUN_EGRESS_ALLOW", { HOOKRUN_EGRESS_ALLOW: "10.0.0.0/33" }],
    ["HOOKRUN_MAX_EVENT_BYTES", { HOOKRUN_MAX_EVENT_BYTES: "-1" }],
    ["HOOKRUN_RETENTION_DAYS", { HOOKRUN_RETENTION_DAYS: "0" }],
    ["HOOKRUN_DELIVERY_CONCURRENCY", { HOOKRUN_DELIVERY_CONCURRENCY: "0" }],
    ["HOOKRUN_HOST_CONCURRENCY", { HOOKRUN_HOST_CONCURRENCY: "many" }],
    ["HOOKRUN_WORKSPACE_FUNCTION_MEMORY_MB", { HOOKRUN_WORKSPACE_FUNCTION_MEMORY_MB: "64" }],
    ["HOOKRUN_LOG_LEVEL", { HOOKRUN_LOG_LEVEL: "verbose" }],
    ["HOOKRUN_PUBLIC_URL", { HOOKRUN_PUBLIC_URL: "hooks.example.com" }],
    ["HOOKRUN_PUBLIC_URL", { HOOKRUN_PUBLIC_URL: "https://example.com/hooks" }],
    ["HOOKRUN_PUBLIC_URL", { HOOKRUN_PUBLIC_URL: "https://hooks.example.com/?x=1" }],
    ["HOOKRUN_PUBLIC_URL", { HOOKRUN_PUBLIC_URL: "https://user:secret@hooks.example.com" }],
    ["HOOKRUN_PORTAL_ORIGINS", { HOOKRUN_PORTAL_ORIGINS: "https://app.example.com/dashboard" }],
    ["HOOKRUN_PORTAL_ORIGINS", { HOOKRUN_PORTAL_ORIGINS: "app.example.com" }],
    ["HOOKRUN_PORTAL_ORIGINS", { HOOKRUN_PORTAL_ORIGINS: "https://ok.example.com, *" }],
    ["HOOKRUN_ENCRYPTION_KEY", { DATABASE_URL: "postgres://u@db/h" }],
  ])("names %s when it is wrong", (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${variable}:`));
  });

  it("points portal links at http://HOST:PORT by default", () => {
    expect(loadConfig({ HOST: "::1", PORT: "9000" }).publicUrl).toBe("http://[::1]:9000");
  });

  it("reports every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "x", HOOKRUN_RETENTION_DAYS: "y" })).toThrow(
      /PORT:[\s\S]*HOOKRUN_RETENTION_DAYS:/,
    );
  });
});
