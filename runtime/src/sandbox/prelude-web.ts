// In-isolate web globals that need no host: TextEncoder/TextDecoder, atob/btoa, structuredClone,
// URLSearchParams, Headers. These functions are never called on the host: prelude.ts serialises
// them with Function.prototype.toString and they run inside the isolate, so they must be
// self-contained (no imports, no outer variables, no class fields that a bundler could rewrite).
// biome-ignore-all lint/complexity/useArrowFunction: plain functions keep toString() output simple
import type { Shared } from "./prelude-types";

export function installEncoding(g: Record<string, unknown>, s: Shared): void {
  function utf8Encode(str: string): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
  function utf8Decode(bytes: Uint8Array, fatal: boolean): string {
    let out = "";
    const bad = () => {
      if (fatal) throw new TypeError("The encoded data was not valid for encoding utf-8");
      return "\ufffd";
    };
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i] as number;
      const need = b < 0x80 ? 0 : b >= 0xf0 && b <= 0xf4 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
      if (need < 0) {
        out += bad();
        i++;
        continue;
      }
      let c = need === 0 ? b : b & (0x3f >> need);
      let j = 1;
      for (; j <= need; j++) {
        const n = bytes[i + j];
        if (n === undefined || (n & 0xc0) !== 0x80) break;
        c = (c << 6) | (n & 63);
      }
      if (j <= need || (need === 2 && c < 0x800) || (need === 3 && (c < 0x10000 || c > 0x10ffff))) {
        out += bad();
        i += Math.max(1, j);
        continue;
      }
      out += String.fromCodePoint(c);
      i += need + 1;
    }
    return out;
  }
  function toBytes(input: unknown): Uint8Array {
    if (input instanceof Uint8Array) return input;
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw new TypeError("expected an ArrayBuffer or a view of one");
  }
  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input = ""): Uint8Array {
      return utf8Encode(String(input));
    }
  }
  class TextDecoder {
    _fatal: boolean;
    _ignoreBOM: boolean;
    constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
      if (!/^(utf-?8|unicode-1-1-utf-8)$/i.test(String(label).trim())) {
        throw new RangeError(`The encoding "${label}" is not supported (only utf-8)`);
      }
      this._fatal = Boolean(options.fatal);
      this._ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() {
      return "utf-8";
    }
    decode(input?: unknown): string {
      if (input === undefined) return "";
      let bytes = toBytes(input);
      if (!this._ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
        bytes = bytes.subarray(3);
      return utf8Decode(bytes, this._fatal);
    }
  }
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function btoa(data: unknown): string {
    const str = String(data);
    let out = "";
    for (let i = 0; i < str.length; i += 3) {
      const a = str.charCodeAt(i);
      const b = str.charCodeAt(i + 1);
      const c = str.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error("InvalidCharacterError: btoa accepts only Latin-1");
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[n >> 18] ?? "";
      out += B64[(n >> 12) & 63] ?? "";
      out += Number.isNaN(b) ? "=" : (B64[(n >> 6) & 63] ?? "");
      out += Number.isNaN(c) ? "=" : (B64[n & 63] ?? "");
    }
    return out;
  }
  function atob(data: unknown): string {
    let str = String(data).replace(/[\t\n\f\r ]/g, "");
    if (str.length % 4 === 0) str = str.replace(/==?$/, "");
    if (str.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(str)) {
      throw new Error("InvalidCharacterError: atob got an invalid base64 string");
    }
    let out = "";
    let buf = 0;
    let bits = 0;
    for (const ch of str) {
      buf = (buf << 6) | B64.indexOf(ch);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((buf >> bits) & 255);
      }
    }
    return out;
  }
  s.utf8Encode = utf8Encode;
  s.utf8Decode = utf8Decode;
  s.toBytes = toBytes;
  g.TextEncoder = TextEncoder;
  g.TextDecoder = TextDecoder;
  g.btoa = btoa;
  g.atob = atob;
}

export function installClone(g: Record<string, unknown>): void {
  // A structured clone done in the isolate, so nothing of the value ever reaches the host.
  function cloneError(what: string): Error {
    const e = new Error(`${what} could not be cloned.`);
    e.name = "DataCloneError";
    return e;
  }
  function clone(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === "function" || typeof value === "symbol") throw cloneError(String(value));
    if (value === null || typeof value !== "object") return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof RegExp) return new RegExp(value.source, value.flags);
    if (value instanceof ArrayBuffer) return value.slice(0);
    if (ArrayBuffer.isView(value)) {
      const Ctor = value.constructor as new (b: ArrayBufferLike) => ArrayBufferView;
      const copy = value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
      return value instanceof DataView ? new DataView(copy) : new Ctor(copy);
    }
    if (value instanceof Map) {
      const out = new Map();
      seen.set(value, out);
      for (const [k, v] of value) out.set(clone(k, seen), clone(v, seen));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set();
      seen.set(value, out);
      for (const v of value) out.add(clone(v, seen));
      return out;
    }
    if (value instanceof Error) {
      const out = new Error(String(value.message));
      out.name = String(value.name);
      out.stack = String(value.stack);
      return out;
    }
    if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) {
      throw cloneError(Object.prototype.toString.call(value));
    }
    const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    seen.set(value, out);
    for (const key of Object.keys(value)) {
      (out as Record<string, unknown>)[key] = clone((value as Record<string, unknown>)[key], seen);
    }
    return out;
  }
  g.structuredClone = function structuredClone(value: unknown): unknown {
    return clone(value, new Map());
  };
}

export function installSearchParams(g: Record<string, unknown>, s: Shared): void {
  function encode(str: string): string {
    return encodeURIComponent(str)
      .replace(/%20/g, "+")
      .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  function decode(str: string): string {
    const text = str.replace(/\+/g, " ");
    try {
      return decodeURIComponent(text);
    } catch {
      return text.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) =>
        String.fromCharCode(Number.parseInt(h, 16)),
      );
    }
  }
  class URLSearchParams {
    _list: [string, string][];
    _onChange: ((query: string) => void) | undefined;
    constructor(init: unknown = "") {
      this._list = [];
      this._onChange = undefined;
      if (typeof init === "string") this._parse(init);
      else if (init instanceof URLSearchParams) this._list = init._list.map(([k, v]) => [k, v]);
      else if (init !== null && typeof init === "object") {
        if (Symbol.iterator in init) {
          for (const pair of init as Iterable<unknown[]>) {
            if (pair.length !== 2) throw new TypeError("URLSearchParams: each pair must have two items");
            this._list.push([String(pair[0]), String(pair[1])]);
          }
        } else {
          for (const key of Object.keys(init))
            this._list.push([key, String((init as Record<string, unknown>)[key])]);
        }
      } else if (init !== undefined) this._parse(String(init));
    }
    _parse(query: string): void {
      this._list = [];
      for (const part of query.replace(/^\?/, "").split("&")) {
        if (part === "") continue;
        const eq = part.indexOf("=");
        this._list.push(
          eq < 0 ? [decode(part), ""] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))],
        );
      }
    }
    _changed(): void {
      this._onChange?.(this.toString());
    }
    get size() {
      return this._list.length;
    }
    append(name: string, value: string) {
      this._list.push([String(name), String(value)]);
      this._changed();
    }
    delete(name: string, value?: string) {
      this._list = this._list.filter(
        ([k, v]) => !(k === String(name) && (value === undefined || v === String(value))),
      );
      this._changed();
    }
    get(name: string): string | null {
      const found = this._list.find(([k]) => k === String(name));
      return found ? found[1] : null;
    }
    getAll(name: string): string[] {
      return this._list.filter(([k]) => k === String(name)).map(([, v]) => v);
    }
    has(name: string, value?: string): boolean {
      return this._list.some(([k, v]) => k === String(name) && (value === undefined || v === String(value)));
    }
    set(name: string, value: string) {
      const key = String(name);
      const at = this._list.findIndex(([k]) => k === key);
      if (at < 0) this._list.push([key, String(value)]);
      else {
        this._list[at] = [key, String(value)];
        this._list = this._list.filter(([k], i) => k !== key || i === at);
      }
      this._changed();
    }
    sort() {
      this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this._changed();
    }
    forEach(cb: (value: string, key: string, self: URLSearchParams) => void, thisArg?: unknown) {
      for (const [k, v] of this._list) cb.call(thisArg, v, k, this);
    }
    keys() {
      return this._list.map(([k]) => k)[Symbol.iterator]();
    }
    values() {
      return this._list.map(([, v]) => v)[Symbol.iterator]();
    }
    entries() {
      return this._list.map(([k, v]) => [k, v])[Symbol.iterator]();
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString(): string {
      return this._list.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
    }
  }
  s.URLSearchParams = URLSearchParams;
  g.URLSearchParams = URLSearchParams;
}

export function installHeaders(g: Record<string, unknown>, s: Shared): void {
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  class Headers {
    _map: Map<string, string>;
    constructor(init?: unknown) {
      this._map = new Map();
      if (init instanceof Headers) for (const [k, v] of init) this.append(k, v);
      else if (init !== null && typeof init === "object") {
        if (Symbol.iterator in init) {
          for (const pair of init as Iterable<unknown[]>) {
            if (pair.length !== 2) throw new TypeError("Headers: each pair must have two items");
            this.append(String(pair[0]), String(pair[1]));
          }
        } else {
          for (const key of Object.keys(init))
            this.append(key, String((init as Record<string, unknown>)[key]));
        }
      } else if (init !== undefined) throw new TypeError("Headers: invalid init");
    }
    _name(name: string): string {
      const n = String(name).toLowerCase();
      if (!TOKEN.test(n)) throw new TypeError(`Headers: invalid header name "${name}"`);
      return n;
    }
    _value(value: string): string {
      const v = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
      if (/[\0\r\n]/.test(v)) throw new TypeError("Headers: invalid header value");
      return v;
    }
    append(name: string, value: string) {
      const n = this._name(name);
      const prev = this._map.get(n);
      this._map.set(n, prev === undefined ? this._value(value) : `${prev}, ${this._value(value)}`);
    }
    set(name: string, value: string) {
      this._map.set(this._name(name), this._value(value));
    }
    get(name: string): string | null {
      return this._map.get(this._name(name)) ?? null;
    }
    has(name: string): boolean {
      return this._map.has(this._name(name));
    }
    delete(name: string) {
      this._map.delete(this._name(name));
    }
    getSetCookie(): string[] {
      const v = this._map.get("set-cookie");
      return v === undefined ? [] : [v];
    }
    forEach(cb: (value: string, key: string, self: Headers) => void, thisArg?: unknown) {
      for (const [k, v] of this) cb.call(thisArg, v, k, this);
    }
    entries() {
      return [...this._map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))[Symbol.iterator]();
    }
    keys() {
      return [...this.entries()].map(([k]) => k)[Symbol.iterator]();
    }
    values() {
      return [...this.entries()].map(([, v]) => v)[Symbol.iterator]();
    }
    [Symbol.iterator]() {
      return this.entries();
    }
  }
  s.Headers = Headers;
  g.Headers = Headers;
}
