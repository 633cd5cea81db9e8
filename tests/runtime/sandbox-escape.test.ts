// Protects the host from sandbox escapes: the published vm2 escape payloads (CVE-2022-36067,
// CVE-2023-29017, -29199, -30547, -32314, -37466, -37903, CVE-2026-22709 and kin) and prototype
// pollution aimed at the host. Each payload tries to reach the host's `process`; inside an isolate
// there is none, so each must end ok-with-nothing-found or as an ordinary error, while a
// neighbouring workspace's function keeps running and the host's own prototypes stay untouched.
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../../runtime/src/index";
import { expectStillServing, runSource, withNeighbour } from "./helpers";

const rt = new FunctionRuntime({ egress: { allow: [] } });
afterAll(() => rt.close());

/** Wraps a payload: `grab(x)` records anything that looks like Node's process object. */
const probe = (payload: string) => `
export default async () => {
  const found = [];
  const grab = (v) => { try { if (v && (typeof v.env === "object" || typeof v.binding === "function" || v.mainModule)) found.push(String(v)); } catch {} };
  const attempt = (f) => { try { grab(f()); } catch (e) { try { grab(e); } catch {} } };
  ${payload}
  await new Promise((r) => setTimeout(r, 1));
  return { found: found.length, process: typeof globalThis.process, require: typeof globalThis.require };
};`;

const PAYLOADS: [string, string][] = [
  ["constructor chain on this", `attempt(() => this.constructor.constructor("return process")());`],
  ["constructor chain on a function", `attempt(() => (() => {}).constructor("return process")());`],
  [
    "constructor chain on host-backed globals",
    `for (const f of [console.log, fetch, setTimeout, crypto.getRandomValues, URL, structuredClone, crypto.subtle.digest]) attempt(() => f.constructor("return process")());`,
  ],
  ["Function('return this') global", `attempt(() => Function("return this")().process);`],
  [
    "CVE-2022-36067 prepareStackTrace frames",
    `
    Error.prepareStackTrace = (e, frames) => frames.map((f) => { try { return f.getThis(); } catch { return null; } });
    attempt(() => { const frames = new Error().stack; for (const t of frames) attempt(() => t && t.constructor.constructor("return process")()); });
    attempt(() => { try { new URL("::bad::"); } catch (e) { for (const t of e.stack || []) attempt(() => t && t.constructor.constructor("return process")()); } });`,
  ],
  [
    "CVE-2023-29017 prepareStackTrace on host errors",
    `
    Error.prepareStackTrace = (e, sst) => { attempt(() => sst.constructor.constructor("return process")()); return "x"; };
    attempt(() => { structuredClone(() => 1); });
    await (async () => { try { eval("1 = 1"); } catch (e) { attempt(() => e.constructor.constructor("return process")()); } })();`,
  ],
  [
    "CVE-2023-29199 stack overflow error constructor",
    `
    Error.stackTraceLimit = 10; // keeps the O(depth²) stack building affordable
    function stack() { new Error().stack; stack(); }
    try { stack(); } catch (e) { attempt(() => e.constructor.constructor("return process")()); }`,
  ],
  [
    "CVE-2023-30547 proxy getPrototypeOf during throw",
    `
    const handler = { getPrototypeOf() { (function stack() { new Error().stack; stack(); })(); } };
    try { throw new Proxy({}, handler); } catch (e) { attempt(() => e.constructor.constructor("return process")()); }`,
  ],
  [
    "CVE-2023-32314 proxy on error name toString",
    `
    const err = new Error();
    err.name = { toString: new Proxy(() => "", { apply(t, self, args) { attempt(() => args.constructor.constructor("return process")()); return ""; } }) };
    attempt(() => err.stack);`,
  ],
  [
    "CVE-2023-37466 Symbol.species on a promise",
    `
    Error.stackTraceLimit = 10;
    async function fn() { (function stack() { new Error().stack; stack(); })(); }
    const p = fn();
    try {
      p.constructor = { [Symbol.species]: class { constructor(ex) { ex((x) => x, (e) => attempt(() => e.constructor.constructor("return process")())); } } };
      p.then();
    } catch (e) { attempt(() => e.constructor.constructor("return process")()); }`,
  ],
  [
    "CVE-2023-37903 nodejs.util.inspect.custom",
    `
    const obj = { [Symbol.for("nodejs.util.inspect.custom")]: (d, o, inspect) => { attempt(() => inspect.constructor("return process")()); return "x"; } };
    console.log(obj);
    attempt(() => structuredClone(obj));`,
  ],
  [
    "CVE-2026-22709 and kin: unsanitised promise callbacks",
    `
    const hostPromise = fetch("http://127.0.0.1/");
    hostPromise.then(null, (e) => attempt(() => e.constructor.constructor("return process")()));
    await hostPromise.catch((e) => { attempt(() => e.constructor.constructor("return process")()); attempt(() => e.__proto__.constructor.constructor("return process")()); });
    try { await crypto.subtle.digest("MD5", new Uint8Array(1)); } catch (e) { attempt(() => e.constructor.constructor("return process")()); }`,
  ],
  [
    "throwing host errors to get host objects",
    `
    for (const f of [() => new URL("nope"), () => atob("!!"), () => crypto.getRandomValues(new Float64Array(1)), () => new TextDecoder("latin1"), () => new Headers([["bad name", "x"]])]) {
      try { f(); } catch (e) { attempt(() => e.constructor.constructor("return process")()); attempt(() => Object.getPrototypeOf(e).constructor.constructor("return process")()); }
    }`,
  ],
  [
    "caller/callee walks from host callbacks",
    `
    console.log({ toJSON() { attempt(() => this.toJSON.caller); return 1; } });
    Headers.prototype.append.call(new Headers(), "a", { toString() { attempt(() => arguments.callee.caller); return "b"; } });`,
  ],
  [
    "Proxy traps as event/ctx or result",
    `
    attempt(() => Reflect.ownKeys(new Proxy({}, { ownKeys() { return Reflect.ownKeys(globalThis); } })));`,
  ],
  [
    "WeakRef/FinalizationRegistry callbacks are gone",
    `
    if (typeof FinalizationRegistry !== "undefined" || typeof WeakRef !== "undefined") found.push("weak");`,
  ],
];

describe("vm2 escape payloads", () => {
  it.each(PAYLOADS)("%s finds no host process", async (_name, payload) => {
    const out = await withNeighbour(rt, () =>
      runSource(rt, probe(payload), { limits: { timeoutMs: 5000, cpuMs: 3000 } }),
    );
    // Payloads that recurse until the stack overflows may also hit a limit: still contained.
    expect(["ok", "error", "memory_limit", "cpu_limit"]).toContain(out.status);
    if (out.status === "ok")
      expect(out.result).toEqual({ found: 0, process: "undefined", require: "undefined" });
    else expect(out.error?.message).not.toMatch(/process\b.*object/);
  });

  it("a returned Proxy or getter-laden object reaches the host only as plain JSON", async () => {
    const out = await runSource(
      rt,
      `export default () => new Proxy({ a: 1 }, { get(t, k) { return k === "toJSON" ? undefined : t[k]; }, ownKeys() { return ["a"]; }, getOwnPropertyDescriptor() { return { value: 1, enumerable: true, configurable: true }; } })`,
    );
    expect(out.status).toBe("ok");
    expect(out.result).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out.result)).toBe(Object.prototype);
  });
});

describe("prototype pollution aimed at the host", () => {
  it("leaves the host's Object.prototype untouched", async () => {
    const out = await withNeighbour(rt, () =>
      runSource(
        rt,
        `export default () => {
          Object.prototype.polluted = "yes";
          Array.prototype.polluted = "yes";
          const payload = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
          console.log(payload, JSON.parse('{"__proto__": {"polluted": "yes"}}'));
          return payload;
        }`,
      ),
    );
    expect(out.status).toBe("ok");
    const result = out.result as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, "__proto__")).toBe(true); // an own data key, not a prototype
    const probeObject: Record<string, unknown> = {};
    expect(probeObject.polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    expect(Object.hasOwn(Array.prototype, "polluted")).toBe(false);
    await expectStillServing(rt);
  });
});
