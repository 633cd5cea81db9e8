// A hook as the code reads it: a hooks row parsed once, where it is read, into the fields of its
// kind with empty columns given their defaults. The defaults live here only; the API's create
// schema (schemas/hooks.ts) uses the same constants, so a hook read back matches one created.
import type { DisabledUrl, FunctionLimits, HookRow, HttpMethod, SigningConfig } from "./schema";

export const DEFAULT_CALLBACK_METHOD = "POST" satisfies HttpMethod;
export const DEFAULT_CALLBACK_TIMEOUT_MS = 10_000;
/** Consecutive failures that open a URL's circuit breaker when the hook sets none. */
export const DEFAULT_BREAKER_FAILURES = 10;
// Frozen: every hook read without its own signing or limits shares these objects.
export const DEFAULT_SIGNING = Object.freeze({
  scheme: "standard-webhooks",
} as const) satisfies SigningConfig;
/** A function's limits when none are given (and for rows that predate them). */
export const DEFAULT_FUNCTION_LIMITS = Object.freeze({
  memoryMb: 64,
  timeoutMs: 10_000,
  cpuMs: 1_000,
} as const) satisfies FunctionLimits;

type CallbackColumn =
  | "method"
  | "urls"
  | "disabled_urls"
  | "headers_enc"
  | "timeout_ms"
  | "signing"
  | "signing_secret_enc"
  | "previous_signing_secret_enc"
  | "previous_signing_secret_expires_at"
  | "fifo"
  | "breaker_failures";
type FunctionColumn = "source" | "live_version" | "secrets_enc" | "limits";

/** The columns both kinds use, under their column names. */
type HookCommon = Omit<HookRow, "kind" | CallbackColumn | FunctionColumn>;

export interface CallbackHook extends HookCommon {
  kind: "callback";
  method: HttpMethod;
  urls: string[];
  /** URLs that answered 410 Gone: kept in `urls`, sent nothing more. */
  disabled_urls: DisabledUrl[];
  headers_enc: string | null;
  timeout_ms: number;
  signing: SigningConfig;
  signing_secret_enc: string | null;
  previous_signing_secret_enc: string | null;
  previous_signing_secret_expires_at: Date | null;
  fifo: boolean;
  breaker_failures: number;
}

export interface FunctionHook extends HookCommon {
  kind: "function";
  /** The draft. */
  source: string;
  live_version: number | null;
  secrets_enc: string | null;
  limits: FunctionLimits;
}

export type Hook = CallbackHook | FunctionHook;

export function parseHookRow(row: HookRow): Hook {
  const {
    kind,
    method,
    urls,
    disabled_urls,
    headers_enc,
    timeout_ms,
    signing,
    signing_secret_enc,
    previous_signing_secret_enc,
    previous_signing_secret_expires_at,
    fifo,
    breaker_failures,
    source,
    live_version,
    secrets_enc,
    limits,
    ...common
  } = row;
  switch (kind) {
    case "callback":
      return {
        ...common,
        kind,
        method: method ?? DEFAULT_CALLBACK_METHOD,
        urls: urls ?? [],
        disabled_urls: disabled_urls ?? [],
        headers_enc,
        timeout_ms: timeout_ms ?? DEFAULT_CALLBACK_TIMEOUT_MS,
        signing: signing ?? DEFAULT_SIGNING,
        signing_secret_enc,
        previous_signing_secret_enc,
        previous_signing_secret_expires_at,
        fifo,
        breaker_failures: breaker_failures ?? DEFAULT_BREAKER_FAILURES,
      };
    case "function":
      return {
        ...common,
        kind,
        source: source ?? "",
        live_version,
        secrets_enc,
        limits: limits ?? DEFAULT_FUNCTION_LIMITS,
      };
    default: {
      const unknown: never = kind;
      throw new Error(`hook ${row.id} has an unknown kind: ${String(unknown)}`);
    }
  }
}
