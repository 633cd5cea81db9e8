// The declarations the editor's TypeScript service sees for a function hook: exactly what the
// isolate provides (runtime/src/sandbox/prelude-*.ts build these globals) on top of the ES library,
// and the `HookEventOf`/`HookContext` types. No DOM and no Node: `document`, `window`, `require`
// and `process` are errors, as they would be at run time. The per-hook part (`HookEvent`, the
// secret names) comes from event-typing.ts.

/** The ES library files the isolate's V8 implements on every supported Node, minus what the prelude
 * removes (WeakRef, FinalizationRegistry, SharedArrayBuffer, Atomics). */
export const SANDBOX_LIBS = [
  "es5",
  "es2015.core",
  "es2015.collection",
  "es2015.generator",
  "es2015.iterable",
  "es2015.promise",
  "es2015.proxy",
  "es2015.reflect",
  "es2015.symbol",
  "es2015.symbol.wellknown",
  "es2016.array.include",
  "es2016.intl",
  "es2017.arraybuffer",
  "es2017.date",
  "es2017.intl",
  "es2017.object",
  "es2017.string",
  "es2017.typedarrays",
  "es2018.asyncgenerator",
  "es2018.asynciterable",
  "es2018.intl",
  "es2018.promise",
  "es2018.regexp",
  "es2019.array",
  "es2019.intl",
  "es2019.object",
  "es2019.string",
  "es2019.symbol",
  "es2020.bigint",
  "es2020.date",
  "es2020.intl",
  "es2020.number",
  "es2020.promise",
  "es2020.string",
  "es2020.symbol.wellknown",
  "es2021.intl",
  "es2021.promise",
  "es2021.string",
  "es2022.array",
  "es2022.error",
  "es2022.intl",
  "es2022.object",
  "es2022.regexp",
  "es2022.string",
  "es2023.array",
  "es2023.collection",
  "es2024.arraybuffer",
  "es2024.collection",
  "es2024.object",
  "es2024.promise",
  "es2024.regexp",
  "es2024.string",
  // Shipped by the V8 of Node 24 and 26 alike (Node 26's Temporal is removed by the prelude).
  "esnext.array",
  "esnext.collection",
  "esnext.disposable",
  "esnext.error",
  "esnext.float16",
  "esnext.iterator",
  "esnext.promise",
];

export const SANDBOX_TYPES = `// hookrun function sandbox: the globals a function hook can use.

/** An event as a function receives it (the same envelope a callback receives as its body). */
interface HookEventOf<Type extends string, Data> {
  /** The event's id (evt_…): the same on every retry, so use it to deduplicate. */
  id: string;
  /** The event type name. */
  type: Type;
  /** When the event was received (ISO 8601). */
  timestamp: string;
  /** The workspace id. */
  workspace: string;
  /** The payload posted with the event. */
  data: Data;
  /** Whatever the sender passed as \`context\`; null when nothing. */
  context: unknown;
}

/** The hook's secrets by name (set in the hook's settings); a name that is not set is undefined. */
interface HookSecrets {
  readonly [name: string]: string | undefined;
}

/** The second argument of a function hook. */
interface HookContext {
  /** The hook's secrets, decrypted for this invocation. */
  secrets: HookSecrets;
  /** The hook this function belongs to. */
  hook: { id: string; name: string };
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** The delivery (one event to this hook): the same on every retry of it. */
  deliveryId: string;
}

type BufferSource = ArrayBuffer | ArrayBufferView;

/** Captured console: each call is one log line of the invocation (at most 64 KiB each). */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  /** Logged at debug level (no stack trace). */
  trace(...data: unknown[]): void;
  dir(item: unknown): void;
  table(data: unknown): void;
  assert(condition?: unknown, ...data: unknown[]): void;
}
declare var console: Console;

type HeadersInit = Headers | [string, string][] | Record<string, string>;

declare class Headers {
  constructor(init?: HeadersInit);
  append(name: string, value: string): void;
  delete(name: string): void;
  get(name: string): string | null;
  getSetCookie(): string[];
  has(name: string): boolean;
  set(name: string, value: string): void;
  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

declare class URLSearchParams {
  constructor(init?: string | URLSearchParams | Iterable<[string, string]> | Record<string, string>);
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}

declare class URL {
  constructor(url: string | URL, base?: string | URL);
  static canParse(url: string | URL, base?: string | URL): boolean;
  hash: string;
  host: string;
  hostname: string;
  href: string;
  readonly origin: string;
  password: string;
  pathname: string;
  port: string;
  protocol: string;
  search: string;
  readonly searchParams: URLSearchParams;
  username: string;
  toString(): string;
  toJSON(): string;
}

/** A request or response body: strings are sent as UTF-8 (at most 5 MiB). */
type BodyInit = string | URLSearchParams | ArrayBuffer | ArrayBufferView;

interface Body {
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  json(): Promise<any>;
  text(): Promise<string>;
}

interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  redirect?: "follow" | "manual" | "error";
}

declare class Request implements Body {
  constructor(input: string | URL | Request, init?: RequestInit);
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly redirect: "follow" | "manual" | "error";
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  json(): Promise<any>;
  text(): Promise<string>;
  clone(): Request;
}

interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

declare class Response implements Body {
  constructor(body?: BodyInit | null, init?: ResponseInit);
  static json(data: unknown, init?: ResponseInit): Response;
  static redirect(url: string | URL, status?: number): Response;
  static error(): Response;
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected: boolean;
  readonly type: string;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  json(): Promise<any>;
  text(): Promise<string>;
  clone(): Response;
}

/**
 * An HTTP request through hookrun's egress guard (private and internal addresses are refused).
 * At most 50 requests per invocation; rejects with a TypeError ("fetch failed: …") when blocked or
 * unreachable.
 */
declare function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;

declare class TextEncoder {
  readonly encoding: "utf-8";
  encode(input?: string): Uint8Array;
}

/** UTF-8 only. */
declare class TextDecoder {
  constructor(label?: "utf-8" | "utf8" | "unicode-1-1-utf-8", options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: "utf-8";
  decode(input?: BufferSource): string;
}

/** Base64 to a binary string (Latin-1). */
declare function atob(data: string): string;
/** A binary string (Latin-1) to base64. */
declare function btoa(data: string): string;

type HashAlgorithm = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";
type HashAlgorithmIdentifier = HashAlgorithm | { name: HashAlgorithm };
type HmacAlgorithm = "HMAC" | { name: "HMAC" };
interface HmacImportParams {
  name: "HMAC";
  hash: HashAlgorithmIdentifier;
  length?: number;
}
type KeyUsage = "sign" | "verify";

/** An HMAC key (the only kind the sandbox supports). */
declare class CryptoKey {
  readonly type: "secret";
  readonly extractable: boolean;
  readonly algorithm: { name: "HMAC"; hash: { name: HashAlgorithm }; length: number };
  readonly usages: KeyUsage[];
}

/** Web Crypto, limited to digests and HMAC. */
interface SubtleCrypto {
  digest(algorithm: HashAlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer>;
  importKey(
    format: "raw",
    keyData: BufferSource,
    algorithm: HmacImportParams,
    extractable: boolean,
    keyUsages: KeyUsage[],
  ): Promise<CryptoKey>;
  generateKey(algorithm: HmacImportParams, extractable: boolean, keyUsages: KeyUsage[]): Promise<CryptoKey>;
  exportKey(format: "raw", key: CryptoKey): Promise<ArrayBuffer>;
  sign(algorithm: HmacAlgorithm, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
  verify(algorithm: HmacAlgorithm, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean>;
}

interface Crypto {
  readonly subtle: SubtleCrypto;
  /** Fills an integer typed array (at most 65536 bytes) with random values. */
  getRandomValues<T extends Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array>(array: T): T;
  randomUUID(): \`\${string}-\${string}-\${string}-\${string}-\${string}\`;
}
declare var crypto: Crypto;

/** Runs \`handler\` after \`timeout\` ms, within the invocation's time limit (at most 1000 pending). */
declare function setTimeout(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;

/** A deep copy (objects, arrays, Map, Set, Date, RegExp, typed arrays, errors). */
declare function structuredClone<T>(value: T): T;
`;
