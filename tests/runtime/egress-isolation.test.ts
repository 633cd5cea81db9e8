// Protects tenants from each other on the shared egress client: a caller cannot set the headers that
// frame a request (a `content-length: 0` ahead of a body smuggled a second request onto a kept-alive
// socket), bodies are always framed by their length, header values Node cannot send fail before any
// connection, and keep-alive sockets are pooled per workspace, never shared, with the least recently
// used pool closed past the cap. Only ever connects to 127.0.0.1.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EgressOptions, type EgressRequest, egressRequest } from "../../runtime/src/egress";

type Seen = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string; socket: number };

let server: http.Server;
let base = "";
let seen: Seen[] = [];
let connections = 0;
const socketIds = new WeakMap<Socket, number>();
const closed = new Set<number>();
let release: () => void = () => {};

const SMUGGLED = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const socket = socketIds.get(req.socket) ?? 0;
      seen.push({ method: req.method ?? "", path, headers: req.headers, body, socket });
      const answer = () => res.end(JSON.stringify({ path, socket }));
      if (path === "/slow") setTimeout(() => res.end(JSON.stringify({ path: "smuggled", socket })), 200);
      else if (path === "/hold") release = answer;
      else if (path === "/redirect") res.writeHead(307, { location: "/landed" }).end();
      else answer();
    });
  });
  server.on("connection", (socket: Socket) => {
    const id = ++connections;
    socketIds.set(socket, id);
    socket.on("close", () => closed.add(id));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  seen = [];
});

/** Fresh options per test: a fresh set of pools, so no test inherits another's sockets. */
const loopback = (extra: Partial<EgressOptions> = {}): EgressOptions => ({
  allow: ["127.0.0.1/32"],
  ...extra,
});

async function send(opts: EgressOptions, req: Partial<EgressRequest> & { path: string }) {
  const { path, ...rest } = req;
  const res = await egressRequest(opts, {
    url: `${base}${path}`,
    method: "GET",
    headers: {},
    timeoutMs: 2000,
    ...rest,
  });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return JSON.parse(Buffer.from(res.body).toString()) as { path: string; socket: number };
}

describe("request framing is egress's, not the caller's", () => {
  it("a smuggled second request stays the body of the first, and later requests get their own answers", async () => {
    const opts = loopback();
    const attack = await send(opts, {
      path: "/first",
      method: "POST",
      headers: { "content-length": "0" },
      body: SMUGGLED,
      pool: "ws_a",
    });
    expect(attack.path).toBe("/first");
    const victim = await send(opts, {
      path: "/victim",
      headers: { authorization: "Bearer b" },
      pool: "ws_b",
    });
    const again = await send(opts, { path: "/again", pool: "ws_a" });
    expect(victim.path).toBe("/victim");
    expect(again.path).toBe("/again");
    // Same pool, same socket: had the smuggled request been parsed, /again would have got its answer.
    expect(again.socket).toBe(attack.socket);
    expect(seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ["POST", "/first", SMUGGLED],
      ["GET", "/victim", ""],
      ["GET", "/again", ""],
    ]);
    expect(seen[0]?.headers["content-length"]).toBe(String(SMUGGLED.length));
  });

  it("drops user-set Host, Transfer-Encoding, Connection, Content-Length and the other framing headers", async () => {
    await send(loopback(), {
      path: "/echo",
      method: "POST",
      headers: {
        Host: "evil.example",
        "Transfer-Encoding": "chunked",
        CONNECTION: "close",
        "content-length": "1",
        "Keep-Alive": "timeout=600",
        Upgrade: "websocket",
        TE: "trailers",
        Trailer: "x-late",
        Expect: "100-continue",
        "Proxy-Connection": "keep-alive",
        "HTTP2-Settings": "AAMAAABkAAQAAP__",
        "x-kept": "yes",
      },
      body: "hello",
    });
    expect(seen).toHaveLength(1);
    const got = seen[0] as Seen;
    expect(got.body).toBe("hello");
    expect(got.headers.host).toBe(new URL(base).host);
    expect(got.headers["content-length"]).toBe("5");
    expect(got.headers["transfer-encoding"]).toBeUndefined();
    expect(got.headers.connection).toBe("keep-alive");
    for (const name of [
      "keep-alive",
      "upgrade",
      "te",
      "trailer",
      "expect",
      "proxy-connection",
      "http2-settings",
    ])
      expect(got.headers[name], name).toBeUndefined();
    expect(got.headers["x-kept"]).toBe("yes");
  });

  it("frames a body by its length for methods Node would send it unframed with (DELETE)", async () => {
    const opts = loopback();
    await send(opts, { path: "/delete", method: "DELETE", body: SMUGGLED, pool: "ws_a" });
    await send(opts, { path: "/after", pool: "ws_a" });
    expect(seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ["DELETE", "/delete", SMUGGLED],
      ["GET", "/after", ""],
    ]);
    expect(seen[0]?.headers["content-length"]).toBe(String(SMUGGLED.length));
  });

  it("drops them on every redirect hop", async () => {
    const res = await send(loopback(), {
      path: "/redirect",
      method: "POST",
      headers: { "content-length": "0", host: "evil.example", "x-kept": "yes" },
      body: "payload",
    });
    expect(res.path).toBe("/landed");
    expect(seen.map((s) => [s.method, s.path, s.body, s.headers.host, s.headers["content-length"]])).toEqual([
      ["POST", "/redirect", "payload", new URL(base).host, "7"],
      ["POST", "/landed", "payload", new URL(base).host, "7"],
    ]);
    expect(seen[1]?.headers["x-kept"]).toBe("yes");
  });

  it.each([
    ["a CR LF in a value", { "x-note": "a\r\nInjected: 1" }],
    ["a NUL in a value", { "x-note": "a\u0000b" }],
    ["a space in a name", { "x note": "a" }],
    ["a CR LF in a name", { "x-a\r\nInjected": "1" }],
  ])("refuses %s as invalid_header without connecting", async (_, headers) => {
    const before = connections;
    const res = await egressRequest(loopback(), {
      url: `${base}/never`,
      method: "GET",
      headers,
      timeoutMs: 2000,
      pool: "ws_a",
    });
    expect(res).toMatchObject({ ok: false, error: { code: "invalid_header" } });
    expect(res.ok ? "" : res.error.message).not.toContain("Injected: 1");
    expect(connections).toBe(before);
    expect(seen).toEqual([]);
  });
});

describe("connection pools per workspace", () => {
  it("never shares a socket between pools, and reuses one within a pool", async () => {
    const opts = loopback();
    const a1 = await send(opts, { path: "/a1", pool: "ws_a" });
    const b1 = await send(opts, { path: "/b1", pool: "ws_b" });
    const a2 = await send(opts, { path: "/a2", pool: "ws_a" });
    const b2 = await send(opts, { path: "/b2", pool: "ws_b" });
    expect(b1.socket).not.toBe(a1.socket);
    expect(a2.socket).toBe(a1.socket);
    expect(b2.socket).toBe(b1.socket);
  });

  it("keeps requests without a pool in a default pool of their own", async () => {
    const opts = loopback();
    const shared1 = await send(opts, { path: "/s1" });
    const named = await send(opts, { path: "/n", pool: "ws_a" });
    const shared2 = await send(opts, { path: "/s2" });
    expect(shared2.socket).toBe(shared1.socket);
    expect(named.socket).not.toBe(shared1.socket);
  });

  it("closes the least recently used pool's sockets past the cap", async () => {
    const opts = loopback({ maxPools: 2 });
    const p1 = await send(opts, { path: "/p1", pool: "ws_1" });
    const p2 = await send(opts, { path: "/p2", pool: "ws_2" });
    await send(opts, { path: "/p1-again", pool: "ws_1" }); // ws_2 is now the least recently used
    const p3 = await send(opts, { path: "/p3", pool: "ws_3" });
    await expect.poll(() => closed.has(p2.socket)).toBe(true);
    expect(closed.has(p1.socket)).toBe(false);
    expect(closed.has(p3.socket)).toBe(false);
    expect((await send(opts, { path: "/p1-last", pool: "ws_1" })).socket).toBe(p1.socket);
    // An evicted pool starts afresh on its next request.
    expect((await send(opts, { path: "/p2-back", pool: "ws_2" })).socket).not.toBe(p2.socket);
  });

  it("lets a request in flight on an evicted pool finish, then closes its socket", async () => {
    const opts = loopback({ maxPools: 1 });
    const held = send(opts, { path: "/hold", pool: "ws_1" });
    await expect.poll(() => seen.some((s) => s.path === "/hold")).toBe(true);
    await send(opts, { path: "/other", pool: "ws_2" }); // evicts ws_1 while /hold is in flight
    const holdSocket = (seen.find((s) => s.path === "/hold") as Seen).socket;
    expect(closed.has(holdSocket)).toBe(false);
    release();
    expect((await held).path).toBe("/hold");
    await expect.poll(() => closed.has(holdSocket)).toBe(true);
  });
});
