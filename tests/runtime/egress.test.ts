// Protects the one outbound HTTP client: it reaches an allowed loopback server, refuses blocked
// addresses in every spelling and names that resolve to private space (stub resolver) BEFORE any
// socket connects, re-checks redirects, enforces timeouts and the body cap, and refuses URLs too
// costly to parse before parsing them. Only ever connects to 127.0.0.1.
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type EgressOptions, egressRequest } from "../../runtime/src/index";

let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/echo") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () =>
        res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null })),
      );
      return;
    }
    if (url.pathname === "/redirect") {
      res.writeHead(302, { location: url.searchParams.get("to") ?? "/echo" }).end();
      return;
    }
    if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" }).end();
      return;
    }
    if (url.pathname === "/big") {
      res.end(Buffer.alloc(200_000, 97));
      return;
    }
    if (url.pathname === "/slow") return; // never answers
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const LOOPBACK: EgressOptions = { allow: ["127.0.0.1/32"] };
const get = (opts: EgressOptions, url: string, extra: Partial<Parameters<typeof egressRequest>[1]> = {}) =>
  egressRequest(opts, { url, method: "GET", headers: {}, timeoutMs: 2000, ...extra });

describe("egressRequest against an allowed loopback server", () => {
  it("sends a request and returns status, headers and body", async () => {
    const res = await egressRequest(LOOPBACK, {
      url: `${base}/echo`,
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
      timeoutMs: 2000,
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.status).toBe(200);
    expect(JSON.parse(Buffer.from(res.body).toString())).toMatchObject({ method: "POST", body: "hello" });
  });

  it("follows redirects and drops credentials when the origin changes", async () => {
    const to = encodeURIComponent(`http://localhost:${new URL(base).port}/echo`);
    const stub: EgressOptions = {
      allow: ["127.0.0.1/32"],
      resolve: async () => [{ address: "127.0.0.1", family: 4 }],
    };
    const res = await get(stub, `${base}/redirect?to=${to}`, { headers: { authorization: "Bearer x" } });
    expect(res.ok && res.redirected).toBe(true);
    if (res.ok) expect(JSON.parse(Buffer.from(res.body).toString()).auth).toBeNull();
  });

  it.each([
    ["too_many_redirects", "/loop", {}],
    ["too_large", "/big", { maxResponseBytes: 1000 }],
    ["timeout", "/slow", { timeoutMs: 150 }],
  ] as const)("fails with %s", async (code, path, extra) => {
    const res = await get(LOOPBACK, `${base}${path}`, extra);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe(code);
  });

  it("re-checks the target of a redirect", async () => {
    const res = await get(
      LOOPBACK,
      `${base}/redirect?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`,
    );
    expect(res.ok ? "followed" : res.error.code).toBe("blocked_address");
  });
});

describe("egressRequest refuses blocked addresses before connecting", () => {
  const strict: EgressOptions = { allow: [] };
  const connects = vi.spyOn(net.Socket.prototype, "connect");

  it.each([
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://127.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.1/",
    "http://192.168.0.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9fea9fe/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "https://[64:ff9b::a9fe:a9fe]/",
  ])("%s", async (url) => {
    connects.mockClear();
    const res = await get(strict, url);
    expect(res.ok ? "connected" : res.error.code).toBe("blocked_address");
    expect(connects).not.toHaveBeenCalled();
  });

  it.each([
    ["10.0.0.1", 4],
    ["127.0.0.1", 4],
    ["169.254.169.254", 4],
    ["::1", 6],
    ["fd00:ec2::254", 6],
    ["::ffff:192.168.1.1", 6],
  ] as const)("a name resolving to %s", async (address, family) => {
    const stub: EgressOptions = { allow: [], resolve: async () => [{ address, family }] };
    const res = await get(stub, "http://internal.example.test/");
    expect(res.ok ? "connected" : res.error.code).toBe("blocked_address");
    // The refusal comes from the socket's own lookup, so no TCP handshake is ever attempted.
  });

  it("checks at connect time, so a rebinding name cannot switch to a private address", async () => {
    let calls = 0;
    // First answer public (as a pre-check would see it), then private when the socket connects.
    const rebinding: EgressOptions = {
      allow: [],
      resolve: async () => [{ address: calls++ === 0 ? "93.184.216.34" : "10.0.0.1", family: 4 }],
    };
    await rebinding.resolve?.("rebind.example.test");
    const res = await get(rebinding, "http://rebind.example.test/");
    expect(res.ok ? "connected" : res.error.code).toBe("blocked_address");
  });

  it.each([
    ["invalid_url", "not a url"],
    ["invalid_url", "file:///etc/passwd"],
    ["invalid_url", "http://user:pw@example.com/"],
  ])("returns %s for %s", async (code, url) => {
    const res = await get(strict, url);
    expect(res.ok ? "sent" : res.error.code).toBe(code);
  });

  it("reports DNS failures as values", async () => {
    const res = await get(
      { allow: [], resolve: async () => Promise.reject(new Error("NXDOMAIN")) },
      "http://nx.test/",
    );
    expect(res.ok ? "sent" : res.error.code).toBe("dns");
  });
});

describe("egressRequest bounds the URL work it does in this process", () => {
  // A tenant's URL is parsed in the API and worker processes: a 64K-character IDN host once stalled
  // the service's event loop for 4 s per request.
  const cjk = (n: number) =>
    Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20000))).join("");

  it.each([
    ["a 64K-character IDN host", `http://${cjk(65_536)}/`],
    ["a 3,000-character IDN host", `http://${cjk(3000)}/`],
    ["a percent-encoded IDN host", `http://${encodeURIComponent(cjk(3000))}/`],
    ["a URL over 64K characters", `http://example.com/${"a".repeat(70_000)}`],
  ])("refuses %s at once, before parsing it", async (_label, url) => {
    const t = performance.now();
    const res = await egressRequest({ allow: [] }, { url, method: "GET", headers: {}, timeoutMs: 1000 });
    expect(performance.now() - t).toBeLessThan(100);
    expect(res).toMatchObject({ ok: false, error: { code: "invalid_url" } });
    if (!res.ok) expect(res.error.message.length).toBeLessThan(300);
  });
});
