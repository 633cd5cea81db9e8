// In-isolate URL, Request, Response and fetch. Runs inside the isolate only (see prelude.ts): keep
// every function self-contained. URL parsing is delegated to the host's WHATWG parser (a copy of
// the parts crosses back); fetch goes to the runtime's egress client through the host.

import type { IsolateHost, Shared, UrlParts } from "./prelude-types";
import type { FetchRequest } from "./protocol";

type HeadersLike = {
  get(n: string): string | null;
  set(n: string, v: string): void;
  has(n: string): boolean;
  [Symbol.iterator](): Iterator<[string, string]>;
};
type ParamsLike = { _onChange: ((q: string) => void) | undefined; _parse(q: string): void };

export function installUrl(g: Record<string, unknown>, s: Shared, host: IsolateHost): void {
  const PROPS = [
    "protocol",
    "username",
    "password",
    "host",
    "hostname",
    "port",
    "pathname",
    "search",
    "hash",
  ];
  function parse(href: string, base: string | undefined, prop?: string, value?: string): UrlParts {
    const parts = host.url(href, base, prop, value);
    if (typeof parts === "string") throw new TypeError(parts);
    return parts;
  }
  class URL {
    _parts: UrlParts;
    _params: ParamsLike | undefined;
    constructor(input: unknown, base?: unknown) {
      this._parts = parse(String(input), base === undefined ? undefined : String(base));
      this._params = undefined;
    }
    static canParse(input: unknown, base?: unknown): boolean {
      return (
        typeof host.url(
          String(input),
          base === undefined ? undefined : String(base),
          undefined,
          undefined,
        ) !== "string"
      );
    }
    _set(prop: string, value: unknown): void {
      this._parts = parse(this._parts.href, undefined, prop, String(value));
      if (prop === "search" || prop === "href") this._params?._parse(this._parts.search);
    }
    get href() {
      return this._parts.href;
    }
    set href(v: string) {
      this._set("href", v);
    }
    get origin() {
      return this._parts.origin;
    }
    get searchParams(): ParamsLike {
      if (!this._params) {
        const params = new s.URLSearchParams(this._parts.search) as ParamsLike;
        params._onChange = (q) => {
          this._parts = parse(this._parts.href, undefined, "search", q);
        };
        this._params = params;
      }
      return this._params;
    }
    toString() {
      return this._parts.href;
    }
    toJSON() {
      return this._parts.href;
    }
  }
  for (const prop of PROPS) {
    Object.defineProperty(URL.prototype, prop, {
      get(this: URL) {
        return this._parts[prop as keyof UrlParts];
      },
      set(this: URL, v: unknown) {
        this._set(prop, v);
      },
    });
  }
  g.URL = URL;
}

export function installFetch(g: Record<string, unknown>, s: Shared, host: IsolateHost): void {
  const MAX_FETCHES = 50;
  const MAX_BODY = 5 * 1024 * 1024;
  const METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"];
  const NewHeaders = s.Headers as unknown as new (init?: unknown) => HeadersLike;
  const URLCtor = g.URL as new (u: string) => { href: string };

  function bodyBytes(body: unknown, headers: HeadersLike): Uint8Array | null {
    if (body === undefined || body === null) return null;
    let bytes: Uint8Array;
    if (typeof body === "string") {
      bytes = s.utf8Encode(body);
      if (!headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
    } else if (body instanceof s.URLSearchParams) {
      bytes = s.utf8Encode(String(body));
      if (!headers.has("content-type"))
        headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    } else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
      bytes = s.toBytes(body).slice();
    } else bytes = s.utf8Encode(String(body));
    if (bytes.length > MAX_BODY) throw new TypeError(`request body exceeds ${MAX_BODY} bytes`);
    return bytes;
  }
  class Body {
    _bytes: Uint8Array | null;
    _used: boolean;
    constructor(bytes: Uint8Array | null) {
      this._bytes = bytes;
      this._used = false;
    }
    get bodyUsed() {
      return this._used;
    }
    _consume(): Uint8Array {
      if (this._used) throw new TypeError("Body has already been consumed");
      this._used = true;
      return this._bytes ?? new Uint8Array(0);
    }
    async bytes() {
      return this._consume().slice();
    }
    async arrayBuffer() {
      return this._consume().slice().buffer;
    }
    async text() {
      return s.utf8Decode(this._consume(), false);
    }
    async json() {
      return JSON.parse(await this.text());
    }
  }
  // Request and Response keep their fields in closure-held state read through prototype getters,
  // like the standard's internal slots: what user code writes on an instance (or a subclass field)
  // only shadows a getter for its own reads, while fetch() sends what the constructor validated.
  const apply = Reflect.apply;
  const { get: slotGet, set: slotSet } = WeakMap.prototype;
  type RequestFields = { url: string; method: string; headers: HeadersLike; redirect: string };
  type ResponseFields = {
    status: number;
    statusText: string;
    headers: HeadersLike;
    url: string;
    redirected: boolean;
    type: string;
  };
  const requests = new WeakMap<object, RequestFields>();
  const responses = new WeakMap<object, ResponseFields>();
  const slot = <T>(map: WeakMap<object, T>, o: unknown): T | undefined =>
    typeof o === "object" && o !== null ? (apply(slotGet, map, [o]) as T | undefined) : undefined;
  function getters(proto: object, map: WeakMap<object, Record<string, unknown>>, names: string[]): void {
    for (const name of names) {
      Object.defineProperty(proto, name, {
        configurable: true,
        enumerable: true,
        get(this: object) {
          return slot(map, this)?.[name];
        },
      });
    }
  }
  const FORBIDDEN_METHODS = ["CONNECT", "TRACE", "TRACK"];
  type RequestInit = { method?: string; headers?: unknown; body?: unknown; redirect?: string };
  class Request extends Body {
    declare readonly url: string;
    declare readonly method: string;
    declare readonly headers: HeadersLike;
    declare readonly redirect: string;
    constructor(input: unknown, init: RequestInit = {}) {
      const from = slot(requests, input);
      const headers = new NewHeaders(init.headers ?? from?.headers);
      const given = String(init.method ?? from?.method ?? "GET");
      const upper = given.toUpperCase();
      if (FORBIDDEN_METHODS.includes(upper)) throw new TypeError(`'${given}' HTTP method is unsupported.`);
      const method = METHODS.includes(upper) ? upper : given;
      const body =
        init.body !== undefined ? bodyBytes(init.body, headers) : from ? (input as Request)._bytes : null;
      super(body);
      if ((method === "GET" || method === "HEAD") && body !== null) {
        throw new TypeError("Request with GET/HEAD method cannot have body");
      }
      const redirect = String(init.redirect ?? from?.redirect ?? "follow");
      if (!["follow", "manual", "error"].includes(redirect)) throw new TypeError("invalid redirect mode");
      const url = from ? from.url : new URLCtor(String(input)).href;
      apply(slotSet, requests, [this, { url, method, headers, redirect }]);
    }
    clone() {
      if (this._used) throw new TypeError("Request.clone: Body has already been consumed.");
      return new Request(this);
    }
  }
  getters(Request.prototype, requests, ["url", "method", "headers", "redirect"]);
  type ResponseInit = { status?: number; statusText?: string; headers?: unknown };
  class Response extends Body {
    declare readonly status: number;
    declare readonly statusText: string;
    declare readonly headers: HeadersLike;
    declare readonly url: string;
    declare readonly redirected: boolean;
    declare readonly type: string;
    constructor(body?: unknown, init: ResponseInit = {}) {
      const headers = new NewHeaders(init.headers);
      super(bodyBytes(body, headers));
      const status = init.status === undefined ? 200 : Number(init.status);
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new RangeError(`Response status must be in 200..599, got ${init.status}`);
      }
      const statusText = String(init.statusText ?? "");
      const fields = { status, statusText, headers, url: "", redirected: false, type: "default" };
      apply(slotSet, responses, [this, fields]);
    }
    get ok() {
      const status = slot(responses, this)?.status ?? 0;
      return status >= 200 && status < 300;
    }
    clone() {
      const fields = slot(responses, this);
      if (!fields) throw new TypeError("Illegal invocation");
      if (this._used) throw new TypeError("Response.clone: Body has already been consumed.");
      return made(this._bytes, { ...fields, headers: new NewHeaders(fields.headers) });
    }
    static json(data: unknown, init: ResponseInit = {}) {
      const headers = new NewHeaders(init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(JSON.stringify(data), { ...init, headers });
    }
    static redirect(url: string, status = 302) {
      return new Response(null, { status, headers: { location: new URLCtor(String(url)).href } });
    }
    static error() {
      return made(null, {
        status: 0,
        statusText: "",
        headers: new NewHeaders(),
        url: "",
        redirected: false,
        type: "error",
      });
    }
  }
  getters(Response.prototype, responses, ["status", "statusText", "headers", "url", "redirected", "type"]);
  /** A Response with fields the constructor would refuse (status 0, a fetched one's url). */
  function made(bytes: Uint8Array | null, fields: ResponseFields): Response {
    const r = Object.create(Response.prototype) as Response;
    r._bytes = bytes;
    r._used = false;
    apply(slotSet, responses, [r, fields]);
    return r;
  }
  async function fetch(input: unknown, init?: RequestInit): Promise<Response> {
    const req = new Request(input, init);
    const fields = slot(requests, req) as RequestFields;
    if (s.fetches >= MAX_FETCHES)
      throw new TypeError(`fetch failed: at most ${MAX_FETCHES} requests per invocation`);
    s.fetches++;
    const wire: FetchRequest = {
      url: fields.url,
      method: fields.method,
      headers: [...fields.headers],
      redirect: fields.redirect as FetchRequest["redirect"],
    };
    if (req._bytes) wire.body = req._bytes;
    const reply = await host.fetch(wire);
    if (!reply.ok) throw new TypeError(`fetch failed: ${reply.message}`);
    const res = made(reply.body, {
      status: reply.status,
      statusText: reply.statusText,
      headers: new NewHeaders(reply.headers),
      url: reply.url,
      redirected: reply.redirected,
      type: "basic",
    });
    if (fields.redirect === "error" && reply.status >= 300 && reply.status < 400) {
      throw new TypeError("fetch failed: redirect mode is 'error'");
    }
    return res;
  }
  g.Request = Request;
  g.Response = Response;
  g.fetch = fetch;
}
