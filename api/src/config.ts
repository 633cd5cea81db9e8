// The only reader of process.env. Parsed once at start; every bad variable is named in one clear error.
import { isIP } from "node:net";
import { z } from "zod";
import { DEFAULT_HOST_CEILING } from "./dispatch/host-limit";
import { DEFAULT_CONCURRENCY } from "./dispatch/lanes";

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const cidr = z.string().refine(isCidr, "must be a CIDR like 127.0.0.1/32 or ::1/128");
const origin = z
  .string()
  .refine(
    isOrigin,
    "must be an origin like https://app.example.com (scheme://host[:port], lower case, no path)",
  );

/** A comma-separated list, each entry trimmed, empty entries dropped. */
const commaList = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  PORT: integer(0, 65535).default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection string")
    .optional(),
  HOOKRUN_DATA_DIR: z.string().min(1).default("./.hookrun"),
  HOOKRUN_ROOT_KEY: z.string().min(24, "must be at least 24 characters").optional(),
  HOOKRUN_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
  HOOKRUN_EGRESS_ALLOW: commaList.pipe(z.array(cidr)),
  HOOKRUN_PUBLIC_URL: z
    .string()
    .refine(isPublicOrigin, "must be an http:// or https:// address without a path, query or credentials")
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  HOOKRUN_PORTAL_ORIGINS: commaList.pipe(z.array(origin)),
  HOOKRUN_MAX_EVENT_BYTES: integer(1024, 64 * 1024 * 1024).default(262144),
  HOOKRUN_RETENTION_DAYS: integer(1, 3650).default(30),
  HOOKRUN_DELIVERY_CONCURRENCY: integer(1, 4096).default(DEFAULT_CONCURRENCY),
  // The ceiling of each host's adaptive limit (dispatch/host-limit.ts), no longer a fixed limit.
  HOOKRUN_HOST_CONCURRENCY: integer(1, 4096).default(DEFAULT_HOST_CEILING),
  HOOKRUN_WORKSPACE_FUNCTION_MEMORY_MB: integer(128, 1024 * 1024).default(1024),
  // A workspace id (ids.ts); that it exists is checked once the database is open (cli.ts).
  HOOKRUN_OPERATIONS_WORKSPACE: z
    .string()
    .regex(/^ws_[0-9a-z]{20}$/, "must be a workspace id like ws_0123456789abcdefghjk")
    .optional(),
  HOOKRUN_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  rootKey: string | undefined;
  encryptionKey: Buffer | undefined;
  egressAllow: string[];
  /** Where users reach the service (portal links point there), without a trailing slash. */
  publicUrl: string;
  /** The origins that may frame /portal. */
  portalOrigins: string[];
  maxEventBytes: number;
  retentionDays: number;
  /** Each worker's deliveries in flight at once. */
  deliveryConcurrency: number;
  /** The ceiling of each destination host's adaptive limit, per worker. */
  hostConcurrency: number;
  /** Memory limits one workspace's running functions may reserve together, per process. */
  workspaceFunctionMemoryMb: number;
  /** The workspace that receives a copy of every workspace's operational events, if any. */
  operationsWorkspace: string | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const [variable, ...within] = i.path.map(String);
      return `  ${variable}: ${within.length > 0 ? `entry ${within.join(".")} ` : ""}${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.HOOKRUN_ENCRYPTION_KEY) {
    throw new ConfigError(
      "invalid configuration:\n  HOOKRUN_ENCRYPTION_KEY: required with DATABASE_URL (32 random bytes, base64: `openssl rand -base64 32`)",
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.HOOKRUN_DATA_DIR,
    rootKey: e.HOOKRUN_ROOT_KEY,
    encryptionKey: e.HOOKRUN_ENCRYPTION_KEY ? Buffer.from(e.HOOKRUN_ENCRYPTION_KEY, "base64") : undefined,
    egressAllow: e.HOOKRUN_EGRESS_ALLOW,
    publicUrl: e.HOOKRUN_PUBLIC_URL ?? `http://${e.HOST.includes(":") ? `[${e.HOST}]` : e.HOST}:${e.PORT}`,
    portalOrigins: e.HOOKRUN_PORTAL_ORIGINS,
    maxEventBytes: e.HOOKRUN_MAX_EVENT_BYTES,
    retentionDays: e.HOOKRUN_RETENTION_DAYS,
    deliveryConcurrency: e.HOOKRUN_DELIVERY_CONCURRENCY,
    hostConcurrency: e.HOOKRUN_HOST_CONCURRENCY,
    workspaceFunctionMemoryMb: e.HOOKRUN_WORKSPACE_FUNCTION_MEMORY_MB,
    operationsWorkspace: e.HOOKRUN_OPERATIONS_WORKSPACE,
    logLevel: e.HOOKRUN_LOG_LEVEL,
  };
}

/** `scheme://host[:port]` exactly as browsers serialise an origin, which is what CSP compares. */
function isOrigin(value: string): boolean {
  if (!/^https?:\/\//.test(value) || !URL.canParse(value)) return false;
  return new URL(value).origin === value;
}

/**
 * The address portal links start with: the editor's page is served at the root (`/portal`, its
 * assets under `/assets`), so a path prefix, a query or credentials would make links that do not open.
 */
function isPublicOrigin(value: string): boolean {
  const trimmed = value.replace(/\/+$/, "");
  return isOrigin(trimmed) || isOrigin(trimmed.toLowerCase());
}

function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split("/");
  if (!address || bits === undefined || extra !== undefined || !/^\d+$/.test(bits)) return false;
  const version = isIP(address);
  return version !== 0 && Number(bits) <= (version === 4 ? 32 : 128);
}
