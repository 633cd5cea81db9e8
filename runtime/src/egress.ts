// The one outbound HTTP client of hookrun: function `fetch` and callbacks both go through
// egressRequest, so the address guard, timeouts, redirect policy, size caps, header rules and
// connection pools live in one place.
// The guard runs inside the connection's `lookup`, on the very address the socket connects to, so
// a name that resolves to a public address at check time and a private one at connect time (DNS
// rebinding) cannot slip through. Callers are tenants: none may set the headers that frame the
// request, and no two workspaces ever share a connection.
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { BlockList, LookupFunction } from "node:net";
import { isIP } from "node:net";
import { type AddressDecision, allowList, classifyAddress } from "./address-guard";
import { urlTooCostly } from "./url-limits";

export type ResolvedAddress = { address: string; family: 4 | 6 };

export type EgressOptions = {
  /** CIDRs the guard lets through even though they are private (e.g. "127.0.0.1/32" in tests). */
  allow: string[];
  /** Injected resolver (tests stub DNS with it); defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Keep-alive pools kept at once, least recently used closed first; default MAX_POOLS. */
  maxPools?: number;
};

export type EgressRequest = {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  timeoutMs: number;
  maxResponseBytes?: number;
  /** Follow (and re-check) redirects; default true. */
  followRedirects?: boolean;
  /**
   * The connection pool, i.e. the workspace id: connections are never shared between pools. Every
   * caller in the product passes one; requests without it share one default pool.
   */
  pool?: string;
};

export type EgressErrorCode =
  | "blocked_address"
  | "dns"
  | "timeout"
  | "too_large"
  | "too_many_redirects"
  | "connection"
  | "invalid_url"
  | "invalid_header";

export type EgressResponse = {
  ok: true;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The final URL after redirects. */
  url: string;
  redirected: boolean;
};

export type EgressFailure = { ok: false; error: { code: EgressErrorCode; message: string } };
export type EgressResult = EgressResponse | EgressFailure;

export const MAX_REDIRECTS = 5;
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
export const MAX_POOLS = 256;

/**
 * Headers that are not the caller's to set: they frame the request or manage the connection, and
 * Node computes them (the Fetch standard forbids them in requests for the same reason). A caller's
 * `content-length: 0` ahead of a body made the upstream read that body as a second request on the
 * kept-alive socket (request smuggling).
 */
export const UNSENDABLE_HEADERS: readonly string[] = [
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
  "http2-settings",
];
const UNSENDABLE = new Set(UNSENDABLE_HEADERS);

/** A copy of `headers` without the unsendable ones, matched case-insensitively. */
export function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !UNSENDABLE.has(name.toLowerCase())));
}

/** Thrown inside one request attempt and turned into an EgressFailure at the edge. */
class EgressError extends Error {
  constructor(
    readonly code: EgressErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const fail = (code: EgressErrorCode, message: string): EgressFailure => ({
  ok: false,
  error: { code, message },
});

// Compiling the allow-list once per options object keeps per-request cost flat.
const compiledAllow = new WeakMap<EgressOptions, BlockList>();
function allowOf(opts: EgressOptions): BlockList {
  let list = compiledAllow.get(opts);
  if (!list) {
    list = allowList(opts.allow);
    compiledAllow.set(opts, list);
  }
  return list;
}

function blocked(ip: string, decision: AddressDecision & { allowed: false }): EgressError {
  return new EgressError("blocked_address", `connection to ${ip} refused: ${decision.reason} address`);
}

async function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** Resolves a name and keeps only the addresses the guard allows; fails if none is left. */
async function guardedResolve(opts: EgressOptions, hostname: string): Promise<ResolvedAddress[]> {
  let found: ResolvedAddress[];
  try {
    found = await (opts.resolve ?? defaultResolve)(hostname);
  } catch (err) {
    throw new EgressError("dns", `could not resolve ${hostname}: ${(err as Error).message}`);
  }
  if (found.length === 0) throw new EgressError("dns", `could not resolve ${hostname}: no addresses`);
  const allow = allowOf(opts);
  const usable = found.filter((a) => classifyAddress(a.address, allow).allowed);
  if (usable.length > 0) return usable;
  const first = found[0] as ResolvedAddress;
  const decision = classifyAddress(first.address, allow);
  throw decision.allowed ? new EgressError("dns", "no usable address") : blocked(first.address, decision);
}

/** The `lookup` handed to the socket: every address it yields has passed the guard. */
function guardedLookup(opts: EgressOptions): LookupFunction {
  return (hostname, options, callback) => {
    guardedResolve(opts, hostname).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else {
          const first = addresses[0] as ResolvedAddress;
          callback(null, first.address, first.family);
        }
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, ""),
    );
  };
}

/** The first header Node could not send (a control character, a name that is no token), if any. */
function invalidHeader(headers: Record<string, string>): EgressFailure | undefined {
  for (const [name, value] of Object.entries(headers)) {
    try {
      http.validateHeaderName(name);
    } catch {
      return fail("invalid_header", `${JSON.stringify(name)}: invalid header name`);
    }
    try {
      http.validateHeaderValue(name, value);
    } catch {
      // Never the value itself: it may be a secret.
      return fail("invalid_header", `${name}: invalid header value`);
    }
  }
  return undefined;
}

// Keep-alive pools, one pair per options object and pool (workspace): a pooled socket was opened
// under exactly these options, so it passed this guard when it connected, and reusing it skips the
// TCP (and TLS) handshake that would otherwise dominate every callback to the same receiver. A
// socket never serves two workspaces: one left out of step (an upstream still owing an answer)
// must not hand that answer, or take the credentials of the next request, to another tenant.
type AgentPair = { http: http.Agent; https: https.Agent };
/** The pool of requests naming none; a symbol, so that no workspace id can be the same key. */
const SHARED_POOL = Symbol("shared pool");
const agents = new WeakMap<EgressOptions, Map<string | symbol, AgentPair>>();

function newAgents(): AgentPair {
  const settings = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64 };
  return { http: new http.Agent(settings), https: new https.Agent(settings) };
}

/**
 * Closes an evicted pool's idle sockets now and each busy one once its exchange is over: destroying
 * the agent outright would cut the requests still in flight.
 */
function retire(pair: AgentPair): void {
  for (const agent of [pair.http, pair.https]) {
    agent.keepSocketAlive = () => false;
    for (const sockets of Object.values(agent.freeSockets))
      for (const socket of sockets ?? []) socket.destroy();
  }
}

/** The pool's agents; a Map iterates in insertion order, so re-inserting on use keeps it an LRU. */
function agentsOf(opts: EgressOptions, pool: string | undefined): AgentPair {
  let pools = agents.get(opts);
  if (!pools) {
    pools = new Map();
    agents.set(opts, pools);
  }
  const key = pool ?? SHARED_POOL;
  let pair = pools.get(key);
  if (pair) pools.delete(key);
  else {
    pair = newAgents();
    const cap = Math.max(1, opts.maxPools ?? MAX_POOLS);
    for (const [oldest, old] of pools) {
      if (pools.size < cap) break;
      pools.delete(oldest);
      retire(old);
    }
  }
  pools.set(key, pair);
  return pair;
}

type Attempt = { url: URL; method: string; headers: Record<string, string>; body?: Uint8Array };
type RawResponse = { status: number; statusText: string; headers: Record<string, string>; body: Uint8Array };

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

// Decisions on IP-literal hosts, per options object: the guard is a pure function of the address
// and the allow-list, and a busy receiver's address is checked for every request. Bounded.
const literalDecisions = new WeakMap<EgressOptions, Map<string, AddressDecision>>();
const LITERALS_KEPT = 1_000;

function literalDecision(opts: EgressOptions, ip: string): AddressDecision {
  let decisions = literalDecisions.get(opts);
  if (!decisions) {
    decisions = new Map();
    literalDecisions.set(opts, decisions);
  }
  let decision = decisions.get(ip);
  if (!decision) {
    decision = classifyAddress(ip, allowOf(opts));
    if (decisions.size >= LITERALS_KEPT) decisions.clear();
    decisions.set(ip, decision);
  }
  return decision;
}

/**
 * The guard's decision on a URL whose host is an IP literal, known before connecting (Node skips
 * `lookup` for literals); undefined for a name, which is decided on the address it resolves to.
 */
export function literalHostDecision(
  opts: EgressOptions,
  url: URL,
): { host: string; decision: AddressDecision } | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return isIP(host) === 0 ? undefined : { host, decision: literalDecision(opts, host) };
}

function checkLiteralHost(opts: EgressOptions, url: URL): void {
  const literal = literalHostDecision(opts, url);
  if (literal && !literal.decision.allowed) throw blocked(literal.host, literal.decision);
}

/**
 * What goes on the wire: the attempt's headers (sendable already: egressRequest filtered the first
 * hop's, and redirect hops are built from them) and our own body length.
 */
function wireHeaders(a: Attempt): Record<string, string> {
  const headers = { ...a.headers };
  // Node frames a body only for the methods it expects one with: a DELETE or OPTIONS body would
  // otherwise go out unframed, and the upstream would read it as the next request.
  if (a.body !== undefined) headers["content-length"] = String(a.body.byteLength);
  return headers;
}

/** One HTTP exchange, no redirects. Rejects with EgressError for every expected failure. */
function exchange(
  opts: EgressOptions,
  pool: AgentPair,
  a: Attempt,
  deadline: number,
  maxBytes: number,
): Promise<RawResponse> {
  checkLiteralHost(opts, a.url);
  const secure = a.url.protocol === "https:";
  const client = secure ? https : http;
  return new Promise((resolve, reject) => {
    const remaining = Math.max(1, deadline - Date.now());
    const req = client.request(a.url, {
      method: a.method,
      headers: wireHeaders(a),
      lookup: guardedLookup(opts),
      agent: secure ? pool.https : pool.http,
      timeout: remaining,
    });
    const timer = setTimeout(() => req.destroy(new EgressError("timeout", "request timed out")), remaining);
    const done = (err: Error | null, value?: RawResponse) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as RawResponse);
    };
    req.on("socket", (socket) => {
      // A kept-alive socket was checked when it connected; only a new one needs the listener
      // (adding it to a reused socket would pile up listeners that never fire).
      if (!socket.connecting) return;
      // Defence in depth: re-check the peer once connected, before the request is flushed.
      socket.once("connect", () => {
        const peer = socket.remoteAddress ?? "";
        const decision = classifyAddress(peer, allowOf(opts));
        if (!decision.allowed) req.destroy(blocked(peer, decision));
      });
    });
    req.on("timeout", () => req.destroy(new EgressError("timeout", "request timed out")));
    req.on("error", (err) => done(err));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new EgressError("too_large", `response body exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (err) => done(err));
      res.on("end", () =>
        done(null, {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: flattenHeaders(res.headers),
          body: new Uint8Array(Buffer.concat(chunks)),
        }),
      );
    });
    req.end(a.body);
  });
}

function parseUrl(text: string, base?: URL): URL | EgressFailure {
  // A tenant's URL (or a receiver's Location) must not stall this process's event loop.
  const costly = urlTooCostly(text);
  if (costly) return fail("invalid_url", costly);
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return fail("invalid_url", `not a valid URL: ${text.slice(0, 200)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return fail("invalid_url", `only http and https URLs are allowed, got ${url.protocol}`);
  }
  if (url.username || url.password) return fail("invalid_url", "credentials in URLs are not allowed");
  return url;
}

function toBytes(body: Uint8Array | string | undefined): Uint8Array | undefined {
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

/** The request for the next hop of a redirect, per the fetch standard; undefined if not a redirect. */
function redirectAttempt(prev: Attempt, res: RawResponse): Attempt | EgressFailure | undefined {
  const location = res.headers.location;
  if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined) return undefined;
  const next = parseUrl(location, prev.url);
  if (!(next instanceof URL)) return next;
  const headers = { ...prev.headers };
  // Credentials must not follow a redirect to another origin.
  if (next.origin !== prev.url.origin) {
    for (const name of Object.keys(headers)) {
      if (["authorization", "cookie", "proxy-authorization"].includes(name.toLowerCase()))
        delete headers[name];
    }
  }
  const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && prev.method === "POST");
  if (!toGet) return { url: next, method: prev.method, headers, body: prev.body };
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase().startsWith("content-")) delete headers[name];
  }
  return { url: next, method: prev.method === "HEAD" ? "HEAD" : "GET", headers };
}

function toFailure(err: unknown): EgressFailure {
  if (err instanceof EgressError) return fail(err.code, err.message);
  // A guard refusal raised inside `lookup` can arrive wrapped or re-created by the socket layer.
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof EgressError) return fail(cause.code, cause.message);
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return fail("dns", e.message);
  if (e.code === "ETIMEDOUT") return fail("timeout", e.message);
  return fail("connection", e.message ?? String(err));
}

/**
 * Sends one HTTP request through the address guard. Expected failures (blocked address, DNS,
 * timeout, size, redirects, connection, bad URL, bad header) are values; only bugs throw.
 */
export async function egressRequest(opts: EgressOptions, req: EgressRequest): Promise<EgressResult> {
  const first = parseUrl(req.url);
  if (!(first instanceof URL)) return first;
  const headers = sendableHeaders(req.headers);
  const invalid = invalidHeader(headers);
  if (invalid) return invalid;
  // Once per request: a pool evicted between redirect hops still serves (then closes) its sockets.
  const pool = agentsOf(opts, req.pool);
  const deadline = Date.now() + Math.max(1, req.timeoutMs);
  const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let attempt: Attempt = {
    url: first,
    method: req.method.toUpperCase(),
    headers,
    body: toBytes(req.body),
  };
  for (let hop = 0; ; hop++) {
    let res: RawResponse;
    try {
      res = await exchange(opts, pool, attempt, deadline, maxBytes);
    } catch (err) {
      return toFailure(err);
    }
    const next = req.followRedirects === false ? undefined : redirectAttempt(attempt, res);
    if (next === undefined) return { ok: true, ...res, url: attempt.url.href, redirected: hop > 0 };
    if ("ok" in next) return next;
    if (hop >= MAX_REDIRECTS) return fail("too_many_redirects", `more than ${MAX_REDIRECTS} redirects`);
    attempt = next;
  }
}
