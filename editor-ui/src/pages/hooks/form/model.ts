// The hook forms' state and what it becomes on the wire: a create body, or a PATCH holding only
// what changed (headers and secrets as merge maps: a value sets, null removes).

import { DEFAULT_BREAKER_FAILURES } from "@hookrun/api/browser";
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS, type SigningConfig } from "@hookrun/runtime/browser";
import { ApiFailure } from "../../../api/client";
import type { CallbackHook, FunctionHook } from "../../../api/types";

/** The service's own rules for names, checked here as the user types. */
export {
  DEFAULT_BREAKER_FAILURES,
  EVENT_PATTERN,
  HEADER_NAME,
  RESERVED_HEADERS,
  SECRET_NAME,
} from "@hookrun/api/browser";
export { MAX_ATTEMPTS };

export type Method = "POST" | "PUT" | "GET";

export interface CommonState {
  name: string;
  description: string;
  events: string[];
  enabled: boolean;
  maxAttempts: number;
  /** The filter as JSON text; empty: no filter. */
  filterText: string;
  /** Deliveries per second as typed; empty: no limit. */
  rateLimitText: string;
}

/** One row of a write-only map (headers, secrets): an existing entry shows only its mask. */
export interface MapRow {
  /** Stable React key. */
  id: number;
  name: string;
  value: string;
  /** The masked stored value; null for a row added in this form. */
  masked: string | null;
  removed: boolean;
}

/** The signing profile as the runtime signs with it, plus the secret the form may set. */
export type SigningState = SigningConfig & { secret: string };

export interface CallbackState extends CommonState {
  method: Method;
  urlsText: string;
  /** Send `urls` even if unchanged: that re-enables URLs a 410 disabled. */
  reenableUrls: boolean;
  headers: MapRow[];
  timeoutSeconds: string;
  signing: SigningState;
  fifo: boolean;
  breakerFailures: string;
}

export interface Limits {
  memoryMb: string;
  timeoutMs: string;
  cpuMs: string;
}

export interface FunctionState extends CommonState {
  limits: Limits;
  secrets: MapRow[];
}

let nextRowId = 1;
export function newRow(name = "", value = ""): MapRow {
  return { id: nextRowId++, name, value, masked: null, removed: false };
}

export function rowsOf(masked: Record<string, string>): MapRow[] {
  return Object.entries(masked).map(([name, mask]) => ({ ...newRow(name), masked: mask }));
}

export const DEFAULT_LIMITS = { memoryMb: 64, timeoutMs: 10_000, cpuMs: 1_000 };

export function emptyCommon(): CommonState {
  return {
    name: "",
    description: "",
    events: [],
    enabled: true,
    maxAttempts: MAX_ATTEMPTS,
    filterText: "",
    rateLimitText: "",
  };
}

export function emptyCallback(): CallbackState {
  return {
    ...emptyCommon(),
    method: "POST",
    urlsText: "",
    reenableUrls: false,
    headers: [newRow()],
    timeoutSeconds: "10",
    signing: { scheme: "standard-webhooks", secret: "" },
    fifo: false,
    breakerFailures: String(DEFAULT_BREAKER_FAILURES),
  };
}

export function emptyFunction(): FunctionState {
  return {
    ...emptyCommon(),
    limits: {
      memoryMb: String(DEFAULT_LIMITS.memoryMb),
      timeoutMs: String(DEFAULT_LIMITS.timeoutMs),
      cpuMs: String(DEFAULT_LIMITS.cpuMs),
    },
    secrets: [],
  };
}

function commonOf(hook: CallbackHook | FunctionHook): CommonState {
  return {
    name: hook.name,
    description: hook.description,
    events: [...hook.events],
    enabled: hook.enabled,
    maxAttempts: hook.retry.maxAttempts,
    filterText: hook.filter ? JSON.stringify(hook.filter, null, 2) : "",
    rateLimitText: hook.rateLimit === null ? "" : String(hook.rateLimit),
  };
}

export function callbackStateOf(hook: CallbackHook): CallbackState {
  const s = hook.signing;
  return {
    ...commonOf(hook),
    method: hook.method,
    urlsText: hook.urls.join("\n"),
    reenableUrls: false,
    headers: rowsOf(hook.headers),
    timeoutSeconds: String(hook.timeoutMs / 1000),
    fifo: hook.fifo,
    breakerFailures: String(hook.breaker.failures),
    signing:
      s.scheme === "hmac-sha256"
        ? {
            scheme: "hmac-sha256",
            header: s.header,
            payload: s.payload,
            encoding: s.encoding,
            prefix: s.prefix,
            secret: "",
          }
        : { scheme: "standard-webhooks", secret: "" },
  };
}

export function functionStateOf(hook: FunctionHook): FunctionState {
  return {
    ...commonOf(hook),
    limits: {
      memoryMb: String(hook.limits.memoryMb),
      timeoutMs: String(hook.limits.timeoutMs),
      cpuMs: String(hook.limits.cpuMs),
    },
    secrets: rowsOf(hook.secrets),
  };
}

export function parseUrls(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A number field as the service wants it; NaN goes through so the service names the field. */
function num(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** The rate field: empty is no limit (null); anything else goes as a number for the service to judge. */
function rateLimitOf(text: string): number | null {
  return text.trim() === "" ? null : num(text);
}

function seconds(text: string): number {
  return Math.round(num(text) * 1000);
}

/** New rows with a name, as a plain map (create). */
function mapOf(rows: MapRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows)
    if (row.masked === null && !row.removed && row.name.trim()) out[row.name.trim()] = row.value;
  return out;
}

/** Only the changes, as a merge map (PATCH): removed → null, replaced or added → the value. */
export function mapPatch(rows: MapRow[]): Record<string, string | null> | undefined {
  const out: Record<string, string | null> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (!name) continue;
    if (row.masked !== null) {
      if (row.removed) out[name] = null;
      else if (row.value !== "") out[name] = row.value;
    } else if (!row.removed) {
      out[name] = row.value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function signingBody(s: SigningState) {
  if (s.scheme === "standard-webhooks")
    return { scheme: s.scheme, ...(s.secret ? { secret: s.secret } : {}) } as const;
  return {
    scheme: s.scheme,
    header: s.header.trim(),
    payload: s.payload,
    encoding: s.encoding,
    prefix: s.prefix,
    ...(s.secret ? { secret: s.secret } : {}),
  } as const;
}

export type FilterValue = Record<string, unknown> | null;

/**
 * The filter field's text as the service takes it: empty is no filter (null). Text that is not a
 * JSON object is the form's own complaint; what the object says is the service's to judge.
 */
export function parseFilter(text: string): { ok: true; value: FilterValue } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, message: 'must be a JSON object, e.g. {"data.amount": {"$gte": 100}}' };
  return { ok: true, value: value as Record<string, unknown> };
}

function commonBody(s: CommonState) {
  const filter = parseFilter(s.filterText);
  return {
    name: s.name.trim(),
    description: s.description,
    events: s.events,
    enabled: s.enabled,
    retry: { maxAttempts: s.maxAttempts },
    // Text that does not parse never gets here: formProblem refuses it first.
    filter: filter.ok ? filter.value : null,
    rateLimit: rateLimitOf(s.rateLimitText),
  };
}

export function callbackCreateBody(s: CallbackState) {
  return {
    kind: "callback" as const,
    ...commonBody(s),
    method: s.method,
    urls: parseUrls(s.urlsText),
    headers: mapOf(s.headers),
    timeoutMs: seconds(s.timeoutSeconds),
    signing: signingBody(s.signing),
    fifo: s.fifo,
    breaker: { failures: num(s.breakerFailures) },
  };
}

export function functionCreateBody(s: FunctionState) {
  return {
    kind: "function" as const,
    ...commonBody(s),
    secrets: mapOf(s.secrets),
    limits: {
      memoryMb: num(s.limits.memoryMb),
      timeoutMs: num(s.limits.timeoutMs),
      cpuMs: num(s.limits.cpuMs),
    },
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function commonPatch(s: CommonState, hook: CallbackHook | FunctionHook) {
  const patch: {
    name?: string;
    description?: string;
    events?: string[];
    retry?: { maxAttempts: number };
    filter?: FilterValue;
    rateLimit?: number | null;
  } = {};
  if (s.name.trim() !== hook.name) patch.name = s.name.trim();
  if (s.description !== hook.description) patch.description = s.description;
  if (!sameList(s.events, hook.events)) patch.events = s.events;
  if (s.maxAttempts !== hook.retry.maxAttempts) patch.retry = { maxAttempts: s.maxAttempts };
  // A filter that does not parse is no change yet: the field says what is wrong with it.
  const filter = parseFilter(s.filterText);
  if (filter.ok && JSON.stringify(filter.value) !== JSON.stringify(hook.filter)) patch.filter = filter.value;
  const rateLimit = rateLimitOf(s.rateLimitText);
  if (rateLimit !== hook.rateLimit) patch.rateLimit = rateLimit;
  return patch;
}

function sameSigning(s: SigningState, hook: CallbackHook): boolean {
  const h = hook.signing;
  if (s.secret) return false;
  if (s.scheme !== h.scheme) return false;
  if (s.scheme === "standard-webhooks" || h.scheme === "standard-webhooks") return true;
  return (
    s.header.trim() === h.header &&
    s.payload === h.payload &&
    s.encoding === h.encoding &&
    s.prefix === h.prefix
  );
}

export function callbackPatch(s: CallbackState, hook: CallbackHook) {
  const patch: ReturnType<typeof commonPatch> & {
    method?: Method;
    urls?: string[];
    headers?: Record<string, string | null>;
    timeoutMs?: number;
    signing?: ReturnType<typeof signingBody>;
    fifo?: boolean;
    breaker?: { failures: number };
  } = commonPatch(s, hook);
  if (s.method !== hook.method) patch.method = s.method;
  const urls = parseUrls(s.urlsText);
  if (s.reenableUrls || !sameList(urls, hook.urls)) patch.urls = urls;
  const headers = mapPatch(s.headers);
  if (headers) patch.headers = headers;
  if (seconds(s.timeoutSeconds) !== hook.timeoutMs) patch.timeoutMs = seconds(s.timeoutSeconds);
  if (!sameSigning(s.signing, hook)) patch.signing = signingBody(s.signing);
  if (s.fifo !== hook.fifo) patch.fifo = s.fifo;
  if (num(s.breakerFailures) !== hook.breaker.failures) patch.breaker = { failures: num(s.breakerFailures) };
  return patch;
}

export function functionPatch(s: FunctionState, hook: FunctionHook) {
  const patch: ReturnType<typeof commonPatch> & {
    secrets?: Record<string, string | null>;
    limits?: { memoryMb?: number; timeoutMs?: number; cpuMs?: number };
  } = commonPatch(s, hook);
  const secrets = mapPatch(s.secrets);
  if (secrets) patch.secrets = secrets;
  const limits: { memoryMb?: number; timeoutMs?: number; cpuMs?: number } = {};
  for (const key of ["memoryMb", "timeoutMs", "cpuMs"] as const) {
    const value = num(s.limits[key]);
    if (value !== hook.limits[key]) limits[key] = value;
  }
  if (Object.keys(limits).length > 0) patch.limits = limits;
  return patch;
}

/**
 * The messages of an API failure that belong to one field: details whose path is the field or
 * under it (`urls.0`, `limits.cpuMs`), and a 409 on the name.
 */
export function fieldErrors(error: ApiFailure | null, ...paths: string[]): string[] {
  if (!error) return [];
  const messages: string[] = [];
  for (const d of error.details) {
    if (d.path === undefined) continue;
    const hit = paths.find((p) => d.path === p || d.path!.startsWith(`${p}.`));
    if (!hit) continue;
    const rest = d.path.slice(hit.length + 1);
    messages.push(rest ? `${rest}: ${d.message}` : d.message);
  }
  if (error.status === 409 && paths.includes("name")) messages.push(error.message);
  return messages;
}

/**
 * The form's own check before anything is sent (the forms turn the browser's validation off): a
 * hook without a name, or a filter that is not a JSON object, is refused here, and said under the
 * field as the service's refusals are.
 */
export function formProblem(s: CommonState): ApiFailure | null {
  if (s.name.trim() === "")
    return new ApiFailure(0, "client", "The hook needs a name.", [
      { path: "name", message: "Give the hook a name, e.g. “CRM sync”." },
    ]);
  const filter = parseFilter(s.filterText);
  if (!filter.ok)
    return new ApiFailure(0, "client", "The filter is not a JSON object.", [
      { path: "filter", message: filter.message },
    ]);
  return null;
}

/** "after 5 s, 5 min, …": what a choice of attempts means, from the worker's own schedule. */
export function retryLabel(attempts: number): string {
  if (attempts === 1) return "1 attempt: no retries";
  const delays = RETRY_SCHEDULE_MS.slice(0, attempts - 1);
  const total = delays.reduce((a, b) => a + b, 0);
  return `${attempts} attempts: retries over about ${duration(total)}`;
}

export function retrySchedule(): string {
  return RETRY_SCHEDULE_MS.map(duration).join(", ");
}

export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  const hours = ms / 3_600_000;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}
