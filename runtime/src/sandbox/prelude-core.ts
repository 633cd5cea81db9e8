// In-isolate core of the prelude: the host wrappers, hardening, console, crypto, timers and the
// invocation entry point. Runs inside the isolate only (see prelude.ts): keep every function
// self-contained.

import type { IsolateHost, Shared, UrlParts } from "./prelude-types";
import type { FetchReply, FetchRequest } from "./protocol";

/** The subset of an isolated-vm Reference the prelude uses to call an async host function. */
type AsyncRef = {
  apply(
    self: undefined,
    args: unknown[],
    opts: { arguments: { copy: true }; result: { promise: true; copy: true } },
  ): Promise<unknown>;
};

/**
 * Wraps the raw host bindings. The References live only in this closure: user code can reach the
 * wrappers' behaviour but never an ivm handle.
 */
export function makeHost(
  s: Shared,
  log: (level: string, message: string) => boolean,
  random: (n: number) => Uint8Array,
  digest: (alg: string, data: Uint8Array) => Uint8Array | string,
  hmac: (hash: string, key: Uint8Array, data: Uint8Array) => Uint8Array | string,
  url: (h: string, b: string | undefined, p: string | undefined, v: string | undefined) => UrlParts | string,
  cancelTimer: (id: number) => void,
  timerRef: AsyncRef,
  fetchRef: AsyncRef,
): IsolateHost {
  // isolated-vm reads options through the prototype chain: with Object.prototype's getters, user
  // code could otherwise add `reference: true` and receive a Reference. Null prototypes, frozen,
  // built before any user code runs.
  const frozen = <T extends object>(o: T): T => Object.freeze(Object.setPrototypeOf(o, null));
  const opts = frozen({
    arguments: frozen({ copy: true as const }),
    result: frozen({ promise: true as const, copy: true as const }),
  });
  // Captured now: user code may later replace the global Promise (its prototype is frozen).
  const P = Promise;
  const never = <T>() => new P<T>(() => {});
  // An async host call settles into user code only within the invocation that made it: a reply that
  // comes later (the host answered just before the end) stops here, in the prelude. Calls still
  // unsettled at the end are counted, and the host then throws the isolate away.
  function gated<T>(call: Promise<T>): Promise<T> {
    const gen = s.gen;
    s.pending++;
    return call.then(
      (value) => {
        s.pending--;
        return s.gen === gen ? value : never<T>();
      },
      (err: unknown) => {
        s.pending--;
        return s.gen === gen ? P.reject(err) : never<T>();
      },
    );
  }
  // Views are copied whole by isolated-vm: hand the host only the bytes a view covers. With the
  // intrinsics taken now, before user code could replace them (or a species).
  const apply = Reflect.apply;
  const U8 = Uint8Array;
  const typedArray = Object.getPrototypeOf(U8.prototype) as object;
  const getterOf = (o: object, name: string) =>
    Object.getOwnPropertyDescriptor(o, name)?.get as () => unknown;
  const offsetOf = getterOf(typedArray, "byteOffset");
  const lengthOf = getterOf(typedArray, "byteLength");
  const bufferOf = getterOf(typedArray, "buffer");
  const bufferLengthOf = getterOf(ArrayBuffer.prototype, "byteLength");
  const setBytes = (typedArray as { set: (source: Uint8Array) => void }).set;
  function own(b: Uint8Array): Uint8Array {
    const length = apply(lengthOf, b, []) as number;
    if (apply(offsetOf, b, []) === 0 && length === apply(bufferLengthOf, apply(bufferOf, b, []), []))
      return b;
    const copy = new U8(length);
    apply(setBytes, copy, [b]);
    return copy;
  }
  return {
    log,
    random,
    digest: (alg, data) => digest(alg, own(data)),
    hmac: (hash, key, data) => hmac(hash, own(key), own(data)),
    url,
    cancelTimer,
    timer: (id: number, ms: number) => gated(timerRef.apply(undefined, [id, ms], opts) as Promise<boolean>),
    fetch: (req: FetchRequest) =>
      gated(
        fetchRef.apply(
          undefined,
          [req.body ? { ...req, body: own(req.body) } : req],
          opts,
        ) as Promise<FetchReply>,
      ),
  };
}

/**
 * Removes what could run code outside an invocation's deadline (FinalizationRegistry and WeakRef
 * callbacks, Atomics.waitAsync, async WebAssembly compilation) and freezes Promise so user code
 * cannot hijack the continuations of host-settled promises. Temporal goes too: only Node 26's V8 has
 * it, and a function must see the same globals on every supported Node (and in the editor's types).
 */
export function hardenGlobals(g: Record<string, unknown>): void {
  for (const name of [
    "FinalizationRegistry",
    "WeakRef",
    "SharedArrayBuffer",
    "Atomics",
    "WebAssembly",
    "Temporal",
    "console",
  ]) {
    delete g[name];
  }
  Object.freeze(Promise.prototype);
  Object.freeze(Promise);
}

export function installConsole(g: Record<string, unknown>, s: Shared, host: IsolateHost): void {
  const MAX_MESSAGE = 64 * 1024;
  let open = true;
  function show(value: unknown, depth: number): string {
    if (typeof value === "string") return depth === 0 ? value : JSON.stringify(value);
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "symbol") return value.toString();
    if (typeof value === "function") return `[Function ${value.name || "(anonymous)"}]`;
    if (value === null || typeof value !== "object") return String(value);
    if (value instanceof Error) return String(value.stack ?? `${value.name}: ${value.message}`);
    const seen = new Set<unknown>();
    try {
      return (
        JSON.stringify(value, (_k, v: unknown) => {
          if (typeof v === "bigint") return `${v}n`;
          if (typeof v === "object" && v !== null) {
            if (seen.has(v)) return "[Circular]";
            seen.add(v);
            if (v instanceof Map) return { "[Map]": [...v] };
            if (v instanceof Set) return { "[Set]": [...v] };
          }
          return v;
        }) ?? String(value)
      );
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  function emit(level: string, args: unknown[]): void {
    if (!open) return;
    let message = "";
    for (let i = 0; i < args.length && message.length < MAX_MESSAGE; i++) {
      message += (i > 0 ? " " : "") + show(args[i], 0);
    }
    // One character over the cap is kept so the host sees (and flags) the truncation.
    open = host.log(level, message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE + 1) : message);
  }
  const levels: Record<string, string> = {
    log: "log",
    info: "info",
    warn: "warn",
    error: "error",
    debug: "debug",
  };
  const console: Record<string, unknown> = {};
  for (const name of Object.keys(levels))
    console[name] = (...args: unknown[]) => emit(levels[name] ?? "log", args);
  console.trace = (...args: unknown[]) => emit("debug", args);
  console.dir = (v: unknown) => emit("log", [v]);
  console.table = (v: unknown) => emit("log", [v]);
  console.assert = (ok: unknown, ...args: unknown[]) => {
    if (!ok) emit("error", ["Assertion failed", ...args]);
  };
  // Reopened for every invocation (each has its own budget); kept out of user reach.
  s.reopenConsole = () => {
    open = true;
  };
  s.logError = (...args: unknown[]) => emit("error", args);
  g.console = console;
}

export function installCrypto(g: Record<string, unknown>, s: Shared, host: IsolateHost): void {
  const HASHES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
  const BLOCK_BITS: Record<string, number> = {
    "SHA-1": 512,
    "SHA-256": 512,
    "SHA-384": 1024,
    "SHA-512": 1024,
  };
  type Alg = string | { name?: unknown; hash?: unknown; length?: unknown };
  const keys = new WeakMap<object, Uint8Array>();
  function hashName(alg: unknown): string {
    const name = String(
      typeof alg === "object" && alg !== null ? (alg as { name?: unknown }).name : alg,
    ).toUpperCase();
    if (!HASHES.includes(name)) throw new Error(`NotSupportedError: unsupported hash ${name}`);
    return name;
  }
  function algName(alg: Alg): string {
    return String(typeof alg === "object" && alg !== null ? alg.name : alg).toUpperCase();
  }
  function orThrow(r: Uint8Array | string): ArrayBuffer {
    if (typeof r === "string") throw new Error(`OperationError: ${r}`);
    return r.slice().buffer;
  }
  class CryptoKey {
    type: string;
    extractable: boolean;
    algorithm: { name: string; hash: { name: string }; length: number };
    usages: string[];
    constructor(hash: string, bytes: Uint8Array, extractable: boolean, usages: string[]) {
      this.type = "secret";
      this.extractable = extractable;
      this.algorithm = { name: "HMAC", hash: { name: hash }, length: bytes.length * 8 };
      this.usages = usages;
      keys.set(this, bytes);
    }
  }
  function keyBytes(key: unknown, usage: string): Uint8Array {
    const bytes = typeof key === "object" && key !== null ? keys.get(key) : undefined;
    if (!bytes) throw new TypeError("key is not a CryptoKey");
    if (!(key as CryptoKey).usages.includes(usage))
      throw new Error(`InvalidAccessError: key cannot ${usage}`);
    return bytes;
  }
  function hmacKey(alg: Alg, bytes: Uint8Array, extractable: boolean, usages: string[]): CryptoKey {
    if (algName(alg) !== "HMAC") throw new Error(`NotSupportedError: only HMAC keys are supported`);
    return new CryptoKey(hashName((alg as { hash?: unknown }).hash), bytes, Boolean(extractable), [
      ...usages,
    ]);
  }
  const subtle = {
    async digest(alg: Alg, data: unknown) {
      return orThrow(host.digest(hashName(alg), s.toBytes(data)));
    },
    async importKey(format: string, data: unknown, alg: Alg, extractable: boolean, usages: string[]) {
      if (format !== "raw") throw new Error("NotSupportedError: only raw keys are supported");
      return hmacKey(alg, s.toBytes(data).slice(), extractable, usages);
    },
    async generateKey(alg: Alg, extractable: boolean, usages: string[]) {
      const hash = hashName((alg as { hash?: unknown }).hash);
      const bits = Number((alg as { length?: unknown }).length ?? BLOCK_BITS[hash]);
      return hmacKey(alg, host.random(Math.ceil(bits / 8)), extractable, usages);
    },
    async exportKey(format: string, key: CryptoKey) {
      if (format !== "raw" || !key.extractable)
        throw new Error("InvalidAccessError: key is not extractable as raw");
      return (keys.get(key) ?? new Uint8Array(0)).slice().buffer;
    },
    async sign(alg: Alg, key: CryptoKey, data: unknown) {
      if (algName(alg) !== "HMAC") throw new Error("NotSupportedError: only HMAC signatures are supported");
      return orThrow(host.hmac(key.algorithm.hash.name, keyBytes(key, "sign"), s.toBytes(data)));
    },
    async verify(alg: Alg, key: CryptoKey, signature: unknown, data: unknown) {
      if (algName(alg) !== "HMAC") throw new Error("NotSupportedError: only HMAC signatures are supported");
      const expected = new Uint8Array(
        orThrow(host.hmac(key.algorithm.hash.name, keyBytes(key, "verify"), s.toBytes(data))),
      );
      const given = s.toBytes(signature);
      let diff = expected.length ^ given.length;
      for (let i = 0; i < expected.length; i++) diff |= (expected[i] ?? 0) ^ (given[i] ?? 0);
      return diff === 0;
    },
  };
  function getRandomValues<T extends ArrayBufferView>(view: T): T {
    const integer =
      view instanceof Int8Array ||
      view instanceof Uint8Array ||
      view instanceof Uint8ClampedArray ||
      view instanceof Int16Array ||
      view instanceof Uint16Array ||
      view instanceof Int32Array ||
      view instanceof Uint32Array ||
      view instanceof BigInt64Array ||
      view instanceof BigUint64Array;
    if (!integer) throw new TypeError("getRandomValues needs an integer typed array");
    if (view.byteLength > 65536) throw new Error("QuotaExceededError: at most 65536 bytes");
    new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(host.random(view.byteLength));
    return view;
  }
  function randomUUID(): string {
    const b = host.random(16);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  g.crypto = { subtle, getRandomValues, randomUUID };
  g.CryptoKey = CryptoKey;
}

export function installTimers(g: Record<string, unknown>, s: Shared, host: IsolateHost): void {
  const MAX_PENDING = 1000;
  type Timer = { fn: (...a: unknown[]) => void; args: unknown[]; done?: Promise<void> };
  const timers = new Map<number, Timer>();
  let nextId = 1;
  async function wait(id: number, ms: number): Promise<void> {
    const fired = await host.timer(id, ms);
    const timer = timers.get(id);
    timers.delete(id);
    // A timer settled after its invocation ended must not run user code outside any deadline.
    if (!fired || !timer || !s.live) return;
    try {
      timer.fn(...timer.args);
    } catch (err) {
      s.logError("Uncaught error in a setTimeout callback:", err);
    }
  }
  g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]): number => {
    if (typeof fn !== "function")
      throw new TypeError("setTimeout needs a function (strings are not evaluated)");
    if (timers.size >= MAX_PENDING) throw new RangeError(`at most ${MAX_PENDING} pending timers`);
    const id = nextId++;
    const timer: Timer = { fn: fn as (...a: unknown[]) => void, args };
    timers.set(id, timer);
    timer.done = wait(id, Math.max(0, Number(ms) || 0));
    return id;
  };
  g.clearTimeout = (id: unknown): void => {
    const key = Number(id);
    const timer = timers.get(key);
    if (!timer) return;
    timers.delete(key);
    if (timer.done) s.settling.push(timer.done);
    host.cancelTimer(key);
  };
}

/** What `invoke` answers the host (version-sandbox.ts reads it). */
export type InvokeReply = (
  | { ok: true; json?: string; truncated?: boolean }
  | { ok: false; error: { name: string; message: string; stack?: string } }
) & {
  /** Host calls (timers, fetches) still unsettled inside the isolate when the invocation ended. */
  pending?: number;
  /** The module's top level threw: the isolate holds no usable function. */
  loadFailed?: boolean;
};

/** Returns the function the host calls once per invocation; it never throws. */
export function makeInvoke(
  g: Record<string, unknown>,
  s: Shared,
): (event: string, ctx: string) => Promise<InvokeReply> {
  const RESULT_CAP = 64 * 1024;
  // Taken now: user code may replace these globals later, and the prelude must keep its caps.
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const toNull = Object.setPrototypeOf;
  const apply = Reflect.apply;
  const Str = String;
  const sliceText = String.prototype.slice;
  const all = Promise.all.bind(Promise);
  let fn: unknown;
  let loaded = false;
  // The module's top level threw (the loader's wrapper stores [thrown] in the slot).
  let loadError: [unknown] | undefined;
  function load(): void {
    const mod = g.__hookrun_module as { default?: unknown } | [unknown] | undefined;
    g.__hookrun_module = undefined;
    if (Array.isArray(mod)) loadError = [mod[0]];
    else fn = mod?.default;
    loaded = true;
  }
  function text(get: () => unknown, cap: number): string {
    try {
      const v = get();
      return apply(sliceText, typeof v === "string" ? v : Str(v), [0, cap]) as string;
    } catch {
      return "[unprintable]";
    }
  }

  function describe(err: unknown): { name: string; message: string; stack?: string } {
    const isObject = typeof err === "object" && err !== null;
    if (!isObject) return { name: "Error", message: text(() => err, 4096) };
    const e = err as { name?: unknown; message?: unknown; stack?: unknown };
    const stack = text(() => e.stack, 16_384);
    return { name: text(() => e.name ?? "Error", 256), message: text(() => e.message ?? "", 4096), stack };
  }
  function utf8Length(str: string): number {
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 2 : 3;
    }
    return n;
  }
  async function run(eventJson: string, ctxJson: string): Promise<InvokeReply> {
    if (!loaded) load();
    if (loadError) throw loadError[0];
    if (typeof fn !== "function") throw new TypeError("the default export is not a function");
    const value: unknown = await fn(parse(eventJson), parse(ctxJson));
    if (value === undefined) return { ok: true };
    const json = stringify(value) as string | undefined;
    if (json === undefined) return { ok: true };
    if (json.length > RESULT_CAP && utf8Length(json) > RESULT_CAP) return { ok: true, truncated: true };
    return { ok: true, json };
  }
  return async function invoke(eventJson: string, ctxJson: string): Promise<InvokeReply> {
    s.live = true;
    s.fetches = 0;
    s.reopenConsole();
    let reply: InvokeReply;
    try {
      reply = await run(eventJson, ctxJson);
    } catch (err) {
      reply = { ok: false, error: describe(err) };
    }
    // Null prototype: neither an Object.prototype.then planted by user code (which would intercept
    // the reply) nor a planted setter (which would run when the fields below are set) applies.
    reply = toNull(reply, null) as InvokeReply;
    s.live = false;
    // Cancelled timers settle now, while the invocation (and its deadline) is still running.
    const settling = s.settling.splice(0);
    await all(settling);
    // From here on, nothing a host call answers reaches this invocation's code (see makeHost).
    s.gen++;
    reply.pending = s.pending;
    if (loadError) reply.loadFailed = true;
    return reply;
  };
}
