// Protects what user code sees inside the isolate: exactly the documented globals (nothing of the
// host), working web APIs, the ctx shape, captured console, capped results, source-mapped stacks,
// warm reuse with persistent module state, and no isolate shared between workspaces or hooks.
import { createHmac } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../../runtime/src/index";
import { CTX, freshKey, runSource } from "./helpers";

const rt = new FunctionRuntime({ egress: { allow: [] } });
afterAll(() => rt.close());

const EXPECTED_GLOBALS = [
  "console",
  "fetch",
  "Request",
  "Response",
  "Headers",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "atob",
  "btoa",
  "crypto",
  "setTimeout",
  "clearTimeout",
  "structuredClone",
];

describe("the isolate's globals", () => {
  it("has the documented web globals and nothing of the host", async () => {
    const out = await runSource(
      rt,
      `export default () => {
        const names = Object.getOwnPropertyNames(globalThis);
        const kinds = {};
        for (const n of ${JSON.stringify(EXPECTED_GLOBALS)}) kinds[n] = typeof globalThis[n];
        return { names, kinds, host: ["require", "process", "module", "Buffer", "global", "ivm", "_ivm", "WeakRef",
          "FinalizationRegistry", "SharedArrayBuffer", "Atomics", "WebAssembly", "__hookrun_module"]
          .filter((n) => typeof globalThis[n] !== "undefined") };
      }`,
    );
    expect(out.status).toBe("ok");
    const r = out.result as { names: string[]; kinds: Record<string, string>; host: string[] };
    for (const name of EXPECTED_GLOBALS) expect(r.kinds[name], name).not.toBe("undefined");
    expect(r.host).toEqual([]);
    // Only ECMAScript built-ins besides the documented ones (CryptoKey backs crypto.subtle).
    // __hookrun_module is the compiled script's (non-deletable) export slot, emptied before user code runs.
    const extra = r.names.filter(
      (n) => !EXPECTED_GLOBALS.includes(n) && !/^[A-Z]/.test(n) && n !== "__hookrun_module",
    );
    expect(extra.sort()).toEqual(
      [
        "decodeURI",
        "decodeURIComponent",
        "encodeURI",
        "encodeURIComponent",
        "escape",
        "eval",
        "globalThis",
        "isFinite",
        "isNaN",
        "parseFloat",
        "parseInt",
        "undefined",
        "unescape",
      ].sort(),
    );
  });

  it("calls default(event, ctx) with the documented ctx", async () => {
    const out = await runSource(rt, "export default (event, ctx) => ({ event, ctx })", {
      event: { a: [1, 2] },
    });
    expect(out.result).toEqual({ event: { a: [1, 2] }, ctx: CTX });
  });

  it("implements the web APIs it promises", async () => {
    const out = await runSource(
      rt,
      `export default async () => {
        const u = new URL("https://example.com/a/b?x=1#h");
        u.searchParams.append("y", "2 3");
        const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
        const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("msg"));
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const h = new Headers({ "X-A": "1" }); h.append("x-a", "2");
        const res = new Response(JSON.stringify({ ok: 1 }), { status: 201, headers: { "content-type": "application/json" } });
        const values = new Uint32Array(4); crypto.getRandomValues(values);
        let t = 0; const id = setTimeout(() => { t = 99 }, 5); clearTimeout(id);
        await new Promise((r) => setTimeout(r, 5));
        return {
          href: u.href, host: u.host, params: u.searchParams.get("y"),
          usp: new URLSearchParams({ a: "1", b: "x y" }).toString(),
          digest: hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"))),
          hmac: hex(sig), verified: await crypto.subtle.verify("HMAC", key, sig, new TextEncoder().encode("msg")),
          text: new TextDecoder().decode(new TextEncoder().encode("héllo €")),
          b64: [btoa("hello"), atob("aGVsbG8=")],
          uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
          header: h.get("X-A"), res: [res.status, res.ok, await res.json()],
          clone: structuredClone({ d: new Date(0), m: new Map([[1, 2]]) }).m.get(1),
          random: values.some((v) => v !== 0), t,
        };
      }`,
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    expect(out.result).toEqual({
      href: "https://example.com/a/b?x=1&y=2+3#h",
      host: "example.com",
      params: "2 3",
      usp: "a=1&b=x+y",
      digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      hmac: createHmac("sha256", "k").update("msg").digest("hex"),
      verified: true,
      text: "héllo €",
      b64: ["aGVsbG8=", "hello"],
      uuid: true,
      header: "1, 2",
      res: [201, true, { ok: 1 }],
      clone: 2,
      random: true,
      t: 0,
    });
  });

  it("captures console lines with level, message and time", async () => {
    const out = await runSource(
      rt,
      `export default () => { console.log("a", 1, { b: 2 }); console.error(new Error("bad")); console.warn("w"); }`,
    );
    expect(out.logs.map((l) => [l.level, l.message.split("\n")[0]])).toEqual([
      ["log", 'a 1 {"b":2}'],
      ["error", "Error: bad"],
      ["warn", "w"],
    ]);
    expect(Number.isNaN(Date.parse(out.logs[0]?.time ?? ""))).toBe(false);
  });

  it("maps error stacks to the user's own source lines", async () => {
    const out = await runSource(
      rt,
      'type T = number;\n\nexport default async () => {\n  const n: T = 1;\n  throw new TypeError("nope " + n);\n};',
    );
    expect(out.status).toBe("error");
    expect(out.error).toMatchObject({ name: "TypeError", message: "nope 1" });
    expect(out.error?.stack).toContain("function.ts:5:9");
    expect(out.error?.stack).not.toContain("hookrun:prelude");
  });

  it("caps the JSON result at 64 KB", async () => {
    const out = await runSource(rt, "export default () => 'x'.repeat(70 * 1024)");
    expect(out).toMatchObject({ status: "ok", resultTruncated: true });
    expect(out.result).toBeUndefined();
  });

  it("reports wall time, CPU time and heap use", async () => {
    const out = await runSource(
      rt,
      "export default () => { let s = 0; for (let i = 0; i < 1e6; i++) s += i; return s }",
    );
    expect(out.status).toBe("ok");
    expect(out.wallMs).toBeGreaterThan(0);
    expect(out.cpuMs).toBeGreaterThan(0);
    expect(out.heapBytes).toBeGreaterThan(0);
  });
});

describe("warm isolates", () => {
  const COUNTER = "let n = 0; export default () => ++n;";

  it("reuses one isolate per version, keeping module state", async () => {
    const versionKey = freshKey("counter");
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push((await runSource(rt, COUNTER, { versionKey, workspaceId: "ws_a" })).result);
    expect(results).toEqual([1, 2, 3]);
  });

  it("never shares an isolate between workspaces, even for the same version key", async () => {
    const versionKey = freshKey("shared");
    await runSource(rt, COUNTER, { versionKey, workspaceId: "ws_a" });
    await runSource(rt, COUNTER, { versionKey, workspaceId: "ws_a" });
    const other = await runSource(rt, COUNTER, { versionKey, workspaceId: "ws_b" });
    expect(other.result).toBe(1);
  });

  it("never shares an isolate between hooks of one workspace, even for the same code and key", async () => {
    // As /test once did: the same source tested on two hooks must not see the other's module state
    // (where the first stored its ctx, secrets included).
    const versionKey = freshKey("test-shared");
    const src = "let seen = []; export default (e, ctx) => { seen.push(ctx.hook.id); return seen; }";
    await runSource(rt, src, { versionKey, workspaceId: "ws_a", hookId: "hook_a" });
    const b = await runSource(rt, src, { versionKey, workspaceId: "ws_a", hookId: "hook_b" });
    expect(b.result).toEqual(["hook_b"]);
    const a = await runSource(rt, src, { versionKey, workspaceId: "ws_a", hookId: "hook_a" });
    expect(a.result).toEqual(["hook_a", "hook_a"]);
  });

  it("throws away an isolate that hit a limit", async () => {
    const versionKey = freshKey("limit");
    const src = "let n = 0; export default async (e) => { n++; if (e.spin) for (;;) {} return n; }";
    await runSource(rt, src, { versionKey, event: {} });
    const hit = await runSource(rt, src, { versionKey, event: { spin: true }, limits: { timeoutMs: 200 } });
    expect(hit.status).toBe("timeout");
    expect((await runSource(rt, src, { versionKey, event: {} })).result).toBe(1);
  });

  it("bounds the pool by memory, evicting the least recently used", async () => {
    const tight = new FunctionRuntime({ egress: { allow: [] }, executors: 1, maxPoolMemoryMb: 1 });
    try {
      for (let i = 0; i < 3; i++)
        await runSource(tight, "export default () => 1", { versionKey: freshKey("m") });
      // Each warm isolate occupies about a megabyte of heap, so at most one fits.
      expect(tight.stats().isolates).toBeLessThanOrEqual(1);
    } finally {
      await tight.close();
    }
  });

  it("bounds the pool by count, evicting the least recently used", async () => {
    const small = new FunctionRuntime({ egress: { allow: [] }, executors: 1, maxIsolates: 2 });
    try {
      const keys = [freshKey("a"), freshKey("b"), freshKey("c")];
      for (const versionKey of keys)
        await runSource(small, "let n = 0; export default () => ++n", { versionKey });
      expect(small.stats().isolates).toBe(2);
      // The first one was evicted: it starts cold again.
      expect(
        (await runSource(small, "let n = 0; export default () => ++n", { versionKey: keys[0] })).result,
      ).toBe(1);
    } finally {
      await small.close();
    }
  });
});
