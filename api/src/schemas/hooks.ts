// The hook resource: one schema per body, shared by validation and the OpenAPI document.
import { z } from "@hono/zod-openapi";
import { MAX_ATTEMPTS } from "@hookrun/runtime";
import {
  DEFAULT_BREAKER_FAILURES,
  DEFAULT_CALLBACK_METHOD,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  DEFAULT_FUNCTION_LIMITS,
  DEFAULT_SIGNING,
} from "../db/hook";
import { Description, Name } from "./common";
import { HookFilter } from "./filter";
import { EVENT_PATTERN, EVENT_TYPE_NAME, HEADER_NAME, RESERVED_HEADERS, SECRET_NAME } from "./hook-rules";

export { EVENT_PATTERN, RESERVED_HEADERS };
export const EventTypeName = z
  .string()
  .min(1)
  .max(100)
  .regex(EVENT_TYPE_NAME, "letters, digits, '_', '-', dot-separated");
const EventPattern = z
  .string()
  .min(1)
  .max(100)
  .regex(EVENT_PATTERN, "an event type name, 'prefix.*' or '*'")
  .openapi({ example: "verification" });

const Events = z.array(EventPattern).min(1).max(50).refine(unique, "must not repeat an event").openapi({
  description:
    "Event type names or patterns (`prefix.*`, `*`); `*` covers the workspace's own types, not hookrun's operational `hookrun.*` events, asked for by name or `hookrun.*`",
});

const Retry = z.strictObject({
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(MAX_ATTEMPTS)
    .openapi({ description: "Attempts in all, the first included (the schedule has 7 retries)" }),
});

export const HeaderName = z
  .string()
  .min(1)
  .max(100)
  .regex(HEADER_NAME, "must be a valid HTTP header name")
  .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), "is set by hookrun itself");
// CR, LF and NUL in a header value enable request smuggling; tab is legal.
const HeaderValue = z
  .string()
  .max(4096)
  // What HTTP (and Node) can send: tab, visible ASCII and Latin-1; no control characters, nothing
  // above U+00FF (a "…" in a value was accepted, then failed every delivery for a day).
  .regex(
    /^[\t\u0020-\u007e\u0080-\u00ff]*$/,
    "must hold only tab, printable ASCII and Latin-1 characters (no control characters, nothing above U+00FF)",
  );
const Headers = z
  .record(HeaderName, HeaderValue)
  .refine((h) => Object.keys(h).length <= 20, "at most 20 headers");
const HeadersPatch = z
  .record(HeaderName, HeaderValue.nullable())
  .refine((h) => Object.keys(h).length <= 20, "at most 20 headers");

export const CallbackUrl = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = urlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  // Stored canonical (lower-case scheme and host, a path of at least "/"): the worker recognises a
  // URL's host by its prefix, and the same receiver is never listed twice under two spellings.
  .transform((value) => new URL(value).href)
  .openapi({ example: "https://receiver.example.com/hooks" });
const Urls = z.array(CallbackUrl).min(1).max(10).refine(unique, "must not repeat a URL");

const SigningSecret = z.string().min(8).max(256);
const StandardWebhooksSigning = z.strictObject({
  scheme: z.literal("standard-webhooks"),
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, "must be whsec_ followed by base64 (at least 12 bytes)")
    .optional(),
});
const HmacSigning = z.strictObject({
  scheme: z.literal("hmac-sha256"),
  header: HeaderName.openapi({ example: "X-Hub-Signature-256" }),
  payload: z.enum(["body", "url+body"]).default("body"),
  encoding: z.enum(["hex", "base64"]).default("hex"),
  prefix: z.string().max(32).default("").openapi({ example: "sha256=" }),
  secret: SigningSecret.optional(),
});
export const SigningInput = z
  .discriminatedUnion("scheme", [StandardWebhooksSigning, HmacSigning])
  .openapi("SigningInput", { description: "Omit `secret` to have one generated (whsec_…)." });

const SecretName = z.string().regex(SECRET_NAME, "letters, digits and '_', not starting with a digit");
const SecretValue = z.string().max(8192);
const Secrets = z
  .record(SecretName, SecretValue)
  .refine((s) => Object.keys(s).length <= 50, "at most 50 secrets");
const SecretsPatch = z
  .record(SecretName, SecretValue.nullable())
  .refine((s) => Object.keys(s).length <= 50, "at most 50 secrets");

export const MAX_SOURCE_BYTES = 256 * 1024;
export const Source = z.string().max(MAX_SOURCE_BYTES, "must be at most 256 KiB");

export const Limits = z
  .strictObject({
    memoryMb: z.number().int().min(8).max(128).default(DEFAULT_FUNCTION_LIMITS.memoryMb),
    timeoutMs: z.number().int().min(100).max(30_000).default(DEFAULT_FUNCTION_LIMITS.timeoutMs),
    cpuMs: z.number().int().min(10).max(30_000).default(DEFAULT_FUNCTION_LIMITS.cpuMs),
  })
  .refine((l) => l.cpuMs <= l.timeoutMs, { message: "cpuMs must not exceed timeoutMs", path: ["cpuMs"] });

const LimitsPatch = z.strictObject({
  memoryMb: z.number().int().min(8).max(128).optional(),
  timeoutMs: z.number().int().min(100).max(30_000).optional(),
  cpuMs: z.number().int().min(10).max(30_000).optional(),
});

export const RateLimit = z
  .number()
  .min(0.1, "must be at least 0.1 a second")
  .max(10_000, "must be at most 10,000 a second")
  .openapi({
    description:
      "Deliveries per second for the whole hook (all URLs, every worker); over it deliveries wait their turn, which is not an attempt. /invoke and /test are not deliveries and not limited. null: no limit",
    example: 20,
  });

export const Breaker = z
  .strictObject({
    failures: z.number().int().min(1).max(1000).default(DEFAULT_BREAKER_FAILURES).openapi({
      description: "Consecutive failures (network errors, timeouts, 5xx, 408, 429) that open a URL's circuit",
    }),
  })
  .openapi("Breaker");

const Fifo = z.boolean().openapi({
  description:
    "Each URL receives the hook's events one at a time, in ingest order; a failing delivery holds its URL until it succeeds or is dead",
});

const commonCreate = {
  name: Name.openapi({ example: "crm-sync" }),
  description: Description.default(""),
  events: Events,
  enabled: z.boolean().default(true),
  retry: Retry.default({ maxAttempts: MAX_ATTEMPTS }),
  filter: HookFilter.nullable().default(null),
  rateLimit: RateLimit.nullable().default(null),
};

export const CallbackHookCreate = z.strictObject({
  kind: z.literal("callback"),
  ...commonCreate,
  method: z.enum(["POST", "PUT", "GET"]).default(DEFAULT_CALLBACK_METHOD),
  urls: Urls,
  headers: Headers.default({}),
  timeoutMs: z.number().int().min(1000).max(30_000).default(DEFAULT_CALLBACK_TIMEOUT_MS),
  signing: SigningInput.default(DEFAULT_SIGNING),
  fifo: Fifo.default(false),
  breaker: Breaker.default({ failures: DEFAULT_BREAKER_FAILURES }),
});

export const FunctionHookCreate = z.strictObject({
  kind: z.literal("function"),
  ...commonCreate,
  source: Source.optional().openapi({
    description: "Deployed as version 1 when given; a template otherwise.",
  }),
  secrets: Secrets.default({}),
  limits: Limits.default(DEFAULT_FUNCTION_LIMITS),
});

export const HookCreate = z
  .discriminatedUnion("kind", [CallbackHookCreate, FunctionHookCreate])
  .openapi("HookCreate");

/** PATCH: any field of either kind; fields of the other kind are refused with 422. */
export const HookPatch = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    events: Events.optional(),
    enabled: z.boolean().optional(),
    retry: Retry.optional(),
    filter: HookFilter.nullable().optional().openapi({ description: "null removes the filter" }),
    rateLimit: RateLimit.nullable().optional(),
    method: z.enum(["POST", "PUT", "GET"]).optional(),
    urls: Urls.optional(),
    headers: HeadersPatch.optional().openapi({ description: "Merged: a null value removes that header." }),
    timeoutMs: z.number().int().min(1000).max(30_000).optional(),
    signing: SigningInput.optional(),
    fifo: Fifo.optional(),
    breaker: Breaker.optional(),
    source: Source.optional(),
    secrets: SecretsPatch.optional().openapi({ description: "Merged: a null value removes that secret." }),
    limits: LimitsPatch.optional(),
  })
  .openapi("HookPatch");

const MaskedMap = z.record(z.string(), z.string()).openapi({ description: "Values masked" });

export const HookHealth = z
  .object({
    attempts: z.number().int(),
    failures: z.number().int(),
    successRate: z.number().nullable().openapi({ description: "0..1; null when there were no attempts" }),
    lastAttemptAt: z.string().nullable(),
    lastOutcome: z.string().nullable(),
  })
  .openapi("HookHealth", { description: "Attempts of the last 24 hours" });

const hookCommon = {
  id: z.string(),
  name: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  retry: z.object({ maxAttempts: z.number().int() }),
  filter: HookFilter.nullable(),
  rateLimit: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  health: HookHealth,
};

export const SigningView = z.union([
  z.object({
    scheme: z.literal("standard-webhooks"),
    secret: z.string(),
    rotatingUntil: z.string().nullable(),
  }),
  z.object({
    scheme: z.literal("hmac-sha256"),
    header: z.string(),
    payload: z.enum(["body", "url+body"]),
    encoding: z.enum(["hex", "base64"]),
    prefix: z.string(),
    secret: z.string(),
    rotatingUntil: z.string().nullable(),
  }),
]);

export const UrlState = z
  .object({
    url: z.string(),
    state: z.enum(["closed", "open", "half_open", "disabled"]).openapi({
      description:
        "closed: delivered normally; open: its deliveries wait (waiting: circuit_open) until a probe succeeds; half_open: one probe is on its way; disabled: it answered 410 Gone",
    }),
    since: z.string().nullable().openapi({
      description: "When the state began (disabled: when it was disabled); null for a URL that never opened",
    }),
    nextProbeAt: z.string().nullable().openapi({ description: "Open: when the probe goes; null otherwise" }),
  })
  .openapi("UrlState");

export const CallbackHookView = z
  .object({
    kind: z.literal("callback"),
    ...hookCommon,
    method: z.enum(["POST", "PUT", "GET"]),
    urls: z.array(z.string()),
    disabledUrls: z.array(z.object({ url: z.string(), at: z.string(), reason: z.string() })),
    warnings: z.array(z.string()).openapi({
      description:
        "URLs the egress guard refuses as they stand (a private, loopback or metadata address): saved, but delivered only once HOOKRUN_EGRESS_ALLOW allows them",
    }),
    headers: MaskedMap,
    timeoutMs: z.number().int(),
    signing: SigningView,
    fifo: z.boolean(),
    breaker: z.object({ failures: z.number().int() }),
    urlStates: z.array(UrlState).openapi({
      description: "Each URL's circuit breaker, in the order of urls",
    }),
  })
  .openapi("CallbackHook");

export const FunctionHookView = z
  .object({
    kind: z.literal("function"),
    ...hookCommon,
    source: z.string(),
    liveVersion: z.number().int().nullable(),
    secrets: MaskedMap,
    limits: z.object({ memoryMb: z.number().int(), timeoutMs: z.number().int(), cpuMs: z.number().int() }),
  })
  .openapi("FunctionHook");

export const HookView = z.discriminatedUnion("kind", [CallbackHookView, FunctionHookView]).openapi("Hook");

export const HookIdParam = z.object({
  ws: z.string().openapi({ param: { name: "ws", in: "path" } }),
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "hk_0123456789abcdefghjk" }),
});

export const SigningSecretView = z
  .object({
    secret: z.string(),
    previousSecret: z.string().nullable(),
    previousExpiresAt: z.string().nullable(),
  })
  .openapi("SigningSecret");

export const RotateSecretBody = z.strictObject({
  secret: SigningSecret.optional().openapi({ description: "The new secret; generated when omitted." }),
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86400)
    .default(86400),
});

export const SourceBody = z.strictObject({ source: Source });
export const DeployBody = z.strictObject({
  version: z
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .optional()
    .openapi({ description: "Roll back to this version; the draft when omitted." }),
});
export const FunctionVersionView = z
  .object({ version: z.number().int(), live: z.boolean(), source: z.string(), createdAt: z.string() })
  .openapi("FunctionVersion");

export type HookCreateInput = z.infer<typeof HookCreate>;
export type CallbackHookCreateInput = z.infer<typeof CallbackHookCreate>;
export type FunctionHookCreateInput = z.infer<typeof FunctionHookCreate>;
export type HookPatchInput = z.infer<typeof HookPatch>;
export type SigningInputValue = z.infer<typeof SigningInput>;
export type HookViewValue = z.infer<typeof HookView>;
export type HookHealthValue = z.infer<typeof HookHealth>;
export type UrlStateValue = z.infer<typeof UrlState>;
export type SigningViewValue = z.infer<typeof SigningView>;

function unique(values: string[]): boolean {
  return new Set(values).size === values.length;
}

function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  if (url.username || url.password) return "must not contain credentials; use headers instead";
  if (!url.hostname) return "must name a host";
  return null;
}
