// Protects tenants from each other inside shared executors (the second attack round on the
// sandbox): nothing of an invocation runs after it answered, values leaving the isolate are capped
// whatever phase they come from, host work done for a function is bounded and billed to it. Each
// attack runs beside a bystander of another workspace (answered in under 2 s, every time), with
// the host's event loop watched (never blocked 500 ms), and states how many executors it cost.
// Only ever connects to 127.0.0.1.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../../runtime/src/index";
import { freshKey, runSource, underAttack } from "./helpers";

let server: http.Server;
let base = "";
const rt = new FunctionRuntime({ egress: { allow: ["127.0.0.1/32"] } });

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await rt.close();
});

describe("nothing of an invocation runs after it ended", () => {
  // The fetch's answer reaches the host while the function spins just before returning; its
  // continuation would run in the isolate after the result was handed back, outside any deadline.
  const late = () => `let log = [];
    export default async (event) => {
      if (event.data.plant) {
        fetch("${base}/").then(() => { log.push("late"); if (event.data.spin) for (;;) {} });
        const t = Date.now(); while (Date.now() - t < 150) {}
        return "planted";
      }
      return log;
    }`;

  it("a spinning continuation never runs: no executor is lost, bystanders unharmed", async () => {
    const versionKey = freshKey("late-spin");
    const watched = await underAttack(rt, () =>
      runSource(rt, late(), { versionKey, event: { data: { plant: true, spin: true } } }),
    );
    expect(watched.outcome.status, JSON.stringify(watched.outcome.error)).toBe("ok");
    expect(watched.outcome.result).toBe("planted");
    // Give a leaked continuation time to run (and spin) before looking.
    await new Promise((r) => setTimeout(r, 300));
    expect(watched.restarts).toBe(0);
    expect(rt.stats().restarts).toBe(0);
  });

  it("a bounded continuation neither delays the next invocation nor writes state it can read", async () => {
    const versionKey = freshKey("late-state");
    const planted = await runSource(rt, late(), { versionKey, event: { data: { plant: true } } });
    expect(planted.result).toBe("planted");
    await new Promise((r) => setTimeout(r, 100));
    const next = await runSource(rt, late(), { versionKey, event: { data: {} }, limits: { timeoutMs: 500 } });
    expect(next.status).toBe("ok");
    expect(next.result).toEqual([]);
    expect(next.wallMs).toBeLessThan(500);
  });
});

describe("values leaving the isolate are capped in every phase", () => {
  const ROOMY = { memoryMb: 128, timeoutMs: 10_000, cpuMs: 10_000 };
  const bounded = (outcome: { error?: { name: string; message: string; stack?: string } }) => {
    expect(outcome.error?.name.length).toBeLessThanOrEqual(256);
    expect(outcome.error?.message.length).toBeLessThanOrEqual(4096);
    expect(outcome.error?.stack?.length ?? 0).toBeLessThanOrEqual(16_384);
  };

  it.each([
    ["a 40 MB message thrown at the module's top level", "throw new Error('x'.repeat(40e6));"],
    ["30M newlines thrown at the module's top level", "throw new Error('\\n'.repeat(30e6));"],
    [
      "a 40 MB name and message thrown as a plain object",
      "throw { name: 'n'.repeat(40e6), message: 'm'.repeat(40e6) };",
    ],
  ])("%s ends as error with capped parts, the executor intact", async (_label, top) => {
    const watched = await underAttack(rt, () =>
      runSource(rt, `${top}\nexport default () => 1;`, { limits: ROOMY }),
    );
    expect(watched.outcome.status).toBe("error");
    bounded(watched.outcome);
    expect(watched.restarts).toBe(0);
  });

  it("keeps a top-level error's stack mapped to the user's own line", async () => {
    const out = await runSource(
      rt,
      "const a = 1;\nthrow new RangeError('top ' + a);\nexport default () => 1;",
    );
    expect(out.status).toBe("error");
    expect(out.error).toMatchObject({ name: "RangeError", message: "top 1" });
    expect(out.error?.stack).toMatch(/function\.ts:2:\d+/);
  });

  it("the same 40 MB error thrown by the function itself is capped too", async () => {
    const watched = await underAttack(rt, () =>
      runSource(rt, "export default () => { throw new Error('x'.repeat(40e6)); }", { limits: ROOMY }),
    );
    expect(watched.outcome.status).toBe("error");
    bounded(watched.outcome);
  });
});

describe("a function that takes V8's fatal out-of-memory path", () => {
  // Growing a dictionary (an object's, a Set's or a Map's) past the heap limit aborts V8 itself
  // rather than hitting the soft limit: the executor dies with everything it holds. The executor
  // names the culprit before dying; the culprit ends as memory_limit, the other runs it held are
  // run again elsewhere, and the culprit's later runs get an executor of their own.
  const LIMITS = { memoryMb: 32, timeoutMs: 20_000, cpuMs: 20_000 };
  // One executor: the bystander is certainly in the one the attack brings down.
  const one = new FunctionRuntime({ egress: { allow: [] }, executors: 1 });
  afterAll(() => one.close());
  it.each([
    ["an object's properties", "const o = {}; for (let i = 0; ; i++) o['k' + i] = i;"],
    ["a Set of strings", "const s = new Set(); for (let i = 0; ; i++) s.add('k' + i);"],
  ])("growing %s ends as memory_limit for itself alone, every time", async (_label, loop) => {
    const versionKey = freshKey("oom");
    const attack = () => runSource(one, `export default () => { ${loop} }`, { versionKey, limits: LIMITS });
    const first = await underAttack(one, attack);
    expect(first.outcome.status).toBe("memory_limit");
    // Node 24's V8 aborts here; Node 26's often reaches the soft limit instead (no restart).
    expect(first.restarts).toBeLessThanOrEqual(1);
    if (first.restarts === 1) expect(one.stats().suspects).toBeGreaterThan(0);
    // Again: now alone in its own executor, so no shared executor is lost.
    const second = await underAttack(one, attack);
    expect(second.outcome.status).toBe("memory_limit");
    expect(second.restarts).toBe(0);
  });
});

describe("host work done for a function is bounded and billed to it", () => {
  // 65,536 distinct CJK code points in one host: IDNA's punycode step took seconds on the
  // executor's thread for one URL.canParse, billed ~15 ms.
  const HOST = "Array.from({ length: 65536 }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20000))).join('')";

  it.each([
    ["URL.canParse(u)", "URL.canParse(u)"],
    ["URL.canParse(u, u)", "URL.canParse(u, u)"],
    ["new URL(u)", "(() => { try { return new URL(u).href; } catch (e) { return e.message; } })()"],
    ["a percent-encoded host", "URL.canParse('http://' + encodeURIComponent(host.slice(0, 8000)) + '/')"],
  ])("%s on a 64K-character IDN host is refused at once", async (_label, call) => {
    const watched = await underAttack(rt, () =>
      runSource(
        rt,
        `export default () => { const host = ${HOST}; const u = 'http://' + host + '/'; return ${call}; }`,
      ),
    );
    expect(watched.outcome.status, JSON.stringify(watched.outcome.error)).toBe("ok");
    expect(
      watched.outcome.result === false || /too costly|longer than/.test(String(watched.outcome.result)),
    ).toBe(true);
    expect(watched.outcome.wallMs).toBeLessThan(1000);
    expect(watched.restarts).toBe(0);
  });

  it("parsing the costliest URL still allowed, in a loop, ends as cpu_limit: the host's time counts", async () => {
    // Without billing the isolate's own CPU barely grows while the host parses: it would run to
    // its 10 s timeout instead.
    const watched = await underAttack(rt, () =>
      runSource(
        rt,
        `export default () => {
          const u = 'http://' + Array.from({ length: 1000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('') + '/';
          for (;;) URL.canParse(u);
        }`,
        { limits: { cpuMs: 300, timeoutMs: 10_000 } },
      ),
    );
    expect(watched.outcome.status).toBe("cpu_limit");
    expect(watched.outcome.cpuMs).toBeGreaterThanOrEqual(300);
    expect(watched.outcome.wallMs).toBeLessThan(3000);
  });

  it("Request and Response keep the values they were built with", async () => {
    const out = await runSource(
      rt,
      `export default async () => {
        const req = new Request("https://example.com/a", { method: "POST", body: "x" });
        for (const k of ["url", "method", "headers", "redirect"]) { try { req[k] = "changed"; } catch {} }
        const res = new Response("y", { status: 201 });
        for (const k of ["status", "statusText", "headers", "url", "redirected", "type"]) { try { res[k] = 0; } catch {} }
        let forbidden, reused;
        try { new Request("https://example.com/", { method: "CONNECT" }); } catch (e) { forbidden = e.message; }
        const used = new Response("z"); await used.text();
        try { used.clone(); } catch (e) { reused = e.constructor.name; }
        class Mine extends Response { status = 1; }
        const mine = new Mine("m");
        return { url: req.url, method: req.method, redirect: req.redirect, status: res.status, type: res.type,
          headersKind: typeof req.headers.get, forbidden, cloned: res.clone().status, error: Response.error().status,
          reused, subclassField: mine.status, subclassOk: mine.ok };
      }`,
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    expect(out.result).toEqual({
      url: "https://example.com/a",
      method: "POST",
      redirect: "follow",
      status: 201,
      type: "default",
      headersKind: "function",
      forbidden: "'CONNECT' HTTP method is unsupported.",
      cloned: 201,
      error: 0,
      reused: "TypeError",
      subclassField: 1,
      subclassOk: true,
    });
  });

  it("fetch sends the request as constructed, whatever was defined on it since", async () => {
    const out = await runSource(
      rt,
      `export default async () => {
        const req = new Request("${base}/as-built");
        Object.defineProperty(req, "url", { value: "http://${"x".repeat(10)}.invalid/" });
        const forged = Object.create(Request.prototype, { url: { value: "http://forged.invalid/" } });
        let forgedError;
        try { await fetch(forged); } catch (e) { forgedError = e.message; }
        const res = await fetch(req);
        return { url: res.url, forgedError };
      }`,
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    expect(out.result).toMatchObject({ url: `${base}/as-built` });
    expect((out.result as { forgedError: string }).forgedError).toMatch(/Invalid URL|fetch failed/);
  });

  it("digests take at most 8 MB per call, and a view over a large buffer costs only its own bytes", async () => {
    const out = await runSource(
      rt,
      `export default async () => {
        const big = new Uint8Array(100 * 1024 * 1024);
        const view = big.subarray(5, 6);
        const t = Date.now();
        for (let i = 0; i < 200; i++) await crypto.subtle.digest("SHA-256", view);
        const viewMs = Date.now() - t;
        let refused;
        try { await crypto.subtle.digest("SHA-256", big.subarray(0, 9 * 1024 * 1024)); } catch (e) { refused = e.message; }
        return { viewMs, refused };
      }`,
      { limits: { memoryMb: 128, timeoutMs: 10_000, cpuMs: 10_000 } },
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    const r = out.result as { viewMs: number; refused: string };
    expect(r.viewMs).toBeLessThan(1000);
    expect(r.refused).toMatch(/at most 8388608 bytes/);
  });

  it("one workspace's concurrent runs reserve at most its memory budget; others are not held up", async () => {
    const tight = new FunctionRuntime({ egress: { allow: [] }, workspaceMemoryMb: 128 });
    try {
      await tight.start();
      const sleepy = "export default async () => { await new Promise((r) => setTimeout(r, 300)); return 1; }";
      const t = performance.now();
      const mine = Promise.all(
        [1, 2, 3].map(() =>
          runSource(tight, sleepy, { workspaceId: "ws_greedy", limits: { memoryMb: 128 } }),
        ),
      );
      const other = await runSource(tight, "export default () => 2", { workspaceId: "ws_other" });
      const otherMs = performance.now() - t;
      const outs = await mine;
      const greedyMs = performance.now() - t;
      expect(outs.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
      // One at a time: three rounds of 300 ms.
      expect(greedyMs).toBeGreaterThanOrEqual(900);
      expect(other.status).toBe("ok");
      // The other workspace did not wait for the greedy one's rounds.
      expect(otherMs).toBeLessThan(greedyMs - 400);
    } finally {
      await tight.close();
    }
  });
});

describe("no request smuggling between workspaces", () => {
  it("a function's framing headers are dropped and no socket is shared with another workspace", async () => {
    const seen: { port: number; method: string; url: string; body: string; host: string }[] = [];
    const upstream = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const port = req.socket.remotePort ?? 0;
        seen.push({ port, method: req.method ?? "", url: req.url ?? "", body, host: req.headers.host ?? "" });
        res.end(`answer for ${req.url}`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    try {
      const smuggle = `export default async () => {
        const res = await fetch("${target}/a", { method: "POST", headers: { "content-length": "0", host: "evil.example" },
          body: "GET /poison HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" });
        return res.text();
      }`;
      const victim = `export default async () => (await fetch("${target}/b")).text();`;
      const a = await runSource(rt, smuggle, { workspaceId: "ws_attacker" });
      const b = await runSource(rt, victim, { workspaceId: "ws_victim" });
      const b2 = await runSource(rt, victim, { workspaceId: "ws_victim" });
      expect([a.result, b.result, b2.result]).toEqual(["answer for /a", "answer for /b", "answer for /b"]);
      expect(seen.map((r) => r.url)).toEqual(["/a", "/b", "/b"]);
      expect(seen[0]?.body).toBe("GET /poison HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(seen[0]?.host).not.toBe("evil.example");
      // Separate pools: the attacker's socket never carries the victim's requests; the victim's
      // own keep-alive socket is reused.
      expect(seen[1]?.port).not.toBe(seen[0]?.port);
      expect(seen[2]?.port).toBe(seen[1]?.port);
    } finally {
      upstream.closeAllConnections();
      upstream.close();
    }
  });
});

describe("the module loader's wrapper", () => {
  it.each([
    ["a hashbang", "#!/usr/bin/env node\nexport default () => typeof this;", "undefined"],
    [
      "a use strict prologue (still strict)",
      "'use strict';\nexport default () => (function () { return this; })() === undefined;",
      true,
    ],
    [
      "both",
      "#!/usr/bin/env node\n'use strict';\nexport default () => (function () { return this; })() === undefined;",
      true,
    ],
  ])("runs a module with %s", async (_label, source, expected) => {
    const out = await runSource(rt, source);
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    expect(out.result).toBe(expected);
  });

  it("maps a top-level error below a hashbang to the user's own line", async () => {
    const out = await runSource(
      rt,
      "#!/usr/bin/env node\nconst a = 1;\nthrow new Error('top ' + a);\nexport default () => 1;",
    );
    expect(out.error?.stack).toMatch(/function\.ts:3:\d+/);
  });
});
