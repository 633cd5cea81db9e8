// Protects fetch inside functions: it goes through the egress guard (allowed loopback server only
// when the operator allows 127.0.0.1/32), refuses loopback/private/link-local/metadata addresses in
// every spelling and names resolving there (stub resolver), and caps requests per invocation.
// Only ever connects to 127.0.0.1.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../../runtime/src/index";
import { runSource, withNeighbour } from "./helpers";

let server: http.Server;
let base = "";
let hits = 0;
const loopback = new FunctionRuntime({ egress: { allow: ["127.0.0.1/32"] }, executors: 1 });
// No exceptions; names resolve (stubbed) into private space.
const strict = new FunctionRuntime({
  egress: {
    allow: [],
    resolve: async (host) =>
      host === "metadata.test"
        ? [{ address: "169.254.169.254", family: 4 }]
        : [{ address: "10.0.0.1", family: 4 }],
  },
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await Promise.all([loopback.close(), strict.close()]);
});

describe("fetch from a function", () => {
  it("reaches an allowed loopback server and counts the request", async () => {
    const out = await runSource(
      loopback,
      `export default async (event, ctx) => {
        const res = await fetch("${base}/hook", { method: "POST", headers: { authorization: "Bearer " + ctx.secrets.TOKEN }, body: JSON.stringify(event) });
        console.log("answered", res.status);
        return { status: res.status, ok: res.ok, json: await res.json(), type: res.headers.get("content-type") };
      }`,
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    expect(out.result).toMatchObject({
      status: 200,
      ok: true,
      json: { method: "POST", auth: "Bearer s3cret" },
      type: "application/json",
    });
    expect(out.fetchCount).toBe(1);
  });

  it("allows at most 50 requests per invocation", async () => {
    const out = await runSource(
      loopback,
      `export default async () => {
        let ok = 0, refused = "";
        for (let i = 0; i < 60; i++) { try { await fetch("${base}/"); ok++; } catch (e) { refused = e.message; } }
        return { ok, refused };
      }`,
      { limits: { timeoutMs: 10_000, cpuMs: 5000 } },
    );
    expect(out.result).toMatchObject({ ok: 50, refused: expect.stringContaining("at most 50") });
  });

  const BLOCKED = [
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.1.2.3/",
    "http://192.168.0.10/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9fea9fe/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://internal.corp.test/",
    "http://metadata.test/",
  ];

  it("refuses loopback, private, link-local and metadata addresses in every spelling", async () => {
    const before = hits;
    const out = await withNeighbour(strict, () =>
      runSource(
        strict,
        `export default async () => {
          const results = {};
          for (const url of ${JSON.stringify(BLOCKED)}) {
            try { await fetch(url); results[url] = "connected"; } catch (e) { results[url] = e.message; }
          }
          return results;
        }`,
        { limits: { timeoutMs: 10_000, cpuMs: 5000 } },
      ),
    );
    expect(out.status).toBe("ok");
    for (const url of BLOCKED)
      expect((out.result as Record<string, string>)[url], url).toMatch(
        /fetch failed: connection to .* refused/,
      );
    expect(hits).toBe(before);
  });

  it("refuses a redirect from an allowed server into private space", async () => {
    const redirector = http.createServer((_req, res) =>
      res.writeHead(302, { location: "http://169.254.169.254/" }).end(),
    );
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    try {
      const port = (redirector.address() as AddressInfo).port;
      const out = await runSource(
        loopback,
        `export default async () => { try { await fetch("http://127.0.0.1:${port}/"); return "followed"; } catch (e) { return e.message; } }`,
      );
      expect(out.result).toMatch(/refused: metadata/);
    } finally {
      redirector.close();
    }
  });
});
