// The host side of the isolate's globals, inside an executor process. Every binding takes copied
// primitives or bytes, validates them (the isolate is untrusted), and returns copies or error
// strings: a host exception must never carry a host object or stack into the isolate.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { urlTooCostly } from "../url-limits";
import { CAPS } from "./limits";
import type { UrlParts } from "./prelude-types";
import type { FetchReply, FetchRequest, LogLine } from "./protocol";

/** Per-invocation state the bindings act on; `ended` flips when the invocation is over. */
export type Invocation = {
  id: number;
  deadline: number;
  ended: boolean;
  logs: LogLine[];
  logBytes: number;
  logsTruncated: boolean;
  timers: Map<number, { handle: NodeJS.Timeout; resolve: (fired: boolean) => void }>;
  pendingFetches: number;
  /** Time the executor's own thread spent in this invocation's synchronous host calls. */
  hostMs: number;
};

export type FetchPort = (invocationId: number, req: FetchRequest, timeoutMs: number) => Promise<FetchReply>;

const LEVELS = new Set(["log", "info", "warn", "error", "debug"]);
const HASHES: Record<string, string> = {
  "SHA-1": "sha1",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};
const URL_PROPS = new Set([
  "href",
  "protocol",
  "username",
  "password",
  "host",
  "hostname",
  "port",
  "pathname",
  "search",
  "hash",
]);
const never = <T>() => new Promise<T>(() => {});

export function appendLog(inv: Invocation, level: unknown, message: unknown): boolean {
  if (inv.ended || inv.logsTruncated) return false;
  const text = typeof message === "string" ? message : String(message);
  const room = CAPS.logBytes - inv.logBytes;
  const size = Buffer.byteLength(text);
  if (inv.logs.length >= CAPS.logLines || room <= 0) {
    inv.logsTruncated = true;
    return false;
  }
  const kept = size <= room ? text : Buffer.from(text).subarray(0, room).toString();
  inv.logs.push({
    level: LEVELS.has(String(level)) ? String(level) : "log",
    message: kept,
    time: new Date().toISOString(),
  });
  inv.logBytes += Math.min(size, room);
  if (size > room) inv.logsTruncated = true;
  return !inv.logsTruncated;
}

export function random(n: unknown): Uint8Array {
  const size = Number(n);
  if (!Number.isInteger(size) || size < 0 || size > CAPS.randomBytes) return new Uint8Array(0);
  return new Uint8Array(randomBytes(size));
}

// Hashing runs on the executor's main thread: one call may not hold it for long.
const tooLarge = (...parts: Uint8Array[]) =>
  parts.some((p) => p.byteLength > CAPS.hashBytes) ? `at most ${CAPS.hashBytes} bytes per call` : undefined;

export function digest(alg: unknown, data: unknown): Uint8Array | string {
  const hash = HASHES[String(alg)];
  if (!hash || !(data instanceof Uint8Array)) return "unsupported digest input";
  return tooLarge(data) ?? new Uint8Array(createHash(hash).update(data).digest());
}

export function hmac(alg: unknown, key: unknown, data: unknown): Uint8Array | string {
  const hash = HASHES[String(alg)];
  if (!hash || !(key instanceof Uint8Array) || !(data instanceof Uint8Array)) return "unsupported HMAC input";
  return tooLarge(key, data) ?? new Uint8Array(createHmac(hash, key).update(data).digest());
}

function parts(u: URL): UrlParts {
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = u;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}

export function parseUrl(href: unknown, base: unknown, prop: unknown, value: unknown): UrlParts | string {
  // Parsing runs on the executor's main thread, beside other workspaces' runs: bounded first.
  const asHost = prop === "host" || prop === "hostname";
  for (const [v, host] of [
    [href, false],
    [base, false],
    [value, asHost],
  ] as const) {
    const problem = typeof v === "string" ? urlTooCostly(v, host) : undefined;
    if (problem) return problem;
  }
  try {
    const u = new URL(String(href), base === undefined ? undefined : String(base));
    if (prop === undefined) return parts(u);
    if (!URL_PROPS.has(String(prop))) return "unknown URL property";
    if (prop === "href") return parts(new URL(String(value)));
    (u as unknown as Record<string, string>)[String(prop)] = String(value);
    return parts(u);
  } catch {
    return `Invalid URL: ${String(href).slice(0, 200)}`;
  }
}

/** A host timer, clamped to the deadline; never settles once its invocation has ended. */
export function startTimer(inv: Invocation, id: unknown, ms: unknown): Promise<boolean> {
  const key = Number(id);
  if (inv.ended || inv.timers.size >= CAPS.pendingTimers || inv.timers.has(key)) return never();
  const delay = Math.min(Math.max(0, Number(ms) || 0), Math.max(0, inv.deadline - Date.now()));
  return new Promise((resolve) => {
    const handle = setTimeout(() => {
      inv.timers.delete(key);
      resolve(true);
    }, delay);
    inv.timers.set(key, { handle, resolve });
  });
}

export function cancelTimer(inv: Invocation, id: unknown): void {
  const timer = inv.timers.get(Number(id));
  if (!timer || inv.ended) return;
  clearTimeout(timer.handle);
  inv.timers.delete(Number(id));
  timer.resolve(false);
}

// An HTTP token, and not one of the methods the Fetch standard forbids.
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

function isFetchRequest(v: unknown): v is FetchRequest {
  const r = v as FetchRequest;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.url === "string" &&
    urlTooCostly(r.url) === undefined &&
    typeof r.method === "string" &&
    METHOD.test(r.method) &&
    !FORBIDDEN_METHODS.has(r.method.toUpperCase()) &&
    Array.isArray(r.headers) &&
    r.headers.length <= CAPS.fetchHeaders &&
    r.headers.every((h) => Array.isArray(h) && typeof h[0] === "string" && typeof h[1] === "string") &&
    (r.body === undefined || (r.body instanceof Uint8Array && r.body.length <= CAPS.fetchRequestBytes)) &&
    ["follow", "manual", "error"].includes(r.redirect)
  );
}

/** Forwards one fetch to the runtime's egress client; the reply is dropped if the invocation ended. */
export async function forwardFetch(inv: Invocation, port: FetchPort, req: unknown): Promise<FetchReply> {
  if (inv.ended) return never();
  if (!isFetchRequest(req)) return { ok: false, code: "invalid_url", message: "malformed request" };
  inv.pendingFetches++;
  const reply = await port(inv.id, req, Math.max(1, inv.deadline - Date.now()));
  inv.pendingFetches--;
  return inv.ended ? never() : reply;
}
