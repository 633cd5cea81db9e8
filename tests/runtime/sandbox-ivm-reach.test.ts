// Protects SECURITY.md's central claim: user code never holds an isolated-vm object. A walker run
// inside the isolate visits everything reachable from the globals, from the event and ctx handed
// in, and from what the web APIs hand back (a real fetch Response included), through properties,
// getters' and setters' functions and prototypes, and looks for isolated-vm's marks: a Reference's
// or ExternalCopy's prototype, or a host Callback (a nameless native function). The same walker,
// run in a bare isolate where those objects were planted, must find each of them (so the check
// can fail). Also tries the option-object attack: getters planted on Object.prototype, where
// isolated-vm would look up options the prelude did not set, must not turn a host reply into a
// Reference. And keeps isolated-vm's dangerous features (code caches, snapshots, transfer lists,
// native modules) where SECURITY.md says they are. Only ever connects to 127.0.0.1.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../../runtime/src/index";
import { runSource } from "./helpers";

/** Inside the isolate: the paths of every isolated-vm object reachable from `roots`. */
const WALKER = `function findIvm(roots) {
  const marks = ["derefInto", "copyInto", "applySyncPromise"];
  // V8's own nameless native functions.
  const stack = Object.getOwnPropertyDescriptor(new Error(), "stack") || {};
  const builtins = [Function.prototype, Object.getOwnPropertyDescriptor(Function.prototype, "caller").get, stack.get, stack.set];
  const nativeText = "{ [native code] }";
  const seen = new Set();
  const found = [];
  const queue = roots.slice();
  let visited = 0;
  while (queue.length > 0 && visited < 200000) {
    const [path, value] = queue.shift();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    visited++;
    let names = [];
    try { names = Reflect.ownKeys(value); } catch { continue; }
    if (names.some((n) => marks.includes(n))) found.push(path + " (isolated-vm prototype)");
    if (typeof value === "function" && !builtins.includes(value)) {
      let text = "";
      try { text = Function.prototype.toString.call(value); } catch {}
      if (text.endsWith(nativeText) && value.name === "" && !("prototype" in value)) found.push(path + " (host callback)");
    }
    try { queue.push([path + ".__proto__", Object.getPrototypeOf(value)]); } catch {}
    for (const name of names) {
      let d;
      try { d = Object.getOwnPropertyDescriptor(value, name); } catch { continue; }
      if (!d) continue;
      const key = path + "." + String(name);
      if ("value" in d) queue.push([key, d.value]);
      if (d.get) queue.push([key + "<get>", d.get]);
      if (d.set) queue.push([key + "<set>", d.set]);
    }
  }
  return { found, visited };
}`;

let server: http.Server;
let base = "";
const rt = new FunctionRuntime({ egress: { allow: ["127.0.0.1/32"] }, executors: 1 });

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await rt.close();
});

type Walk = { found: string[]; visited: number };

/** The walker in a bare isolated-vm isolate (no prelude) with objects planted by the host. */
function walkBareIsolate(plant: boolean): Walk {
  const script = `
    import ivm from "isolated-vm";
    const isolate = new ivm.Isolate({ memoryLimit: 32 });
    const context = isolate.createContextSync();
    if (${plant}) {
      const nest = new ivm.Reference({});
      context.global.setSync("planted", { deep: { ref: new ivm.Reference({ host: true }) } }, { copy: true });
      context.global.setSync("ref", new ivm.Reference({ host: true }));
      context.global.setSync("copy", new ivm.ExternalCopy({ a: 1 }));
      context.global.setSync("callback", new ivm.Callback(() => 1));
      nest.release();
    }
    const walk = context.evalSync("(" + ${JSON.stringify(WALKER)} + ")([['globalThis', globalThis]])", { copy: true });
    console.log(JSON.stringify(walk));`;
  const out = spawnSync(process.execPath, ["--no-node-snapshot", "--input-type=module", "-e", script], {
    encoding: "utf8",
    cwd: new URL("../..", import.meta.url).pathname,
  });
  if (out.status !== 0) throw new Error(`bare isolate failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as Walk;
}

describe("isolated-vm objects out of user code's reach", () => {
  it("the walker finds a planted Reference, ExternalCopy and Callback, and nothing in a bare isolate", () => {
    expect(walkBareIsolate(false).found).toEqual([]);
    const planted = walkBareIsolate(true);
    expect(planted.found).toEqual(
      expect.arrayContaining([
        "globalThis.ref.__proto__ (isolated-vm prototype)",
        "globalThis.copy.__proto__ (isolated-vm prototype)",
        "globalThis.callback (host callback)",
      ]),
    );
  });

  it("none is reachable from the globals, the event, ctx, or what the web APIs return", async () => {
    const out = await runSource(
      rt,
      `export default async (event, ctx) => {
        const response = await fetch("${base}/x");
        const failure = await fetch("http://10.0.0.1/").catch((e) => e);
        const key = await crypto.subtle.importKey("raw", new Uint8Array(8), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
        const roots = [
          ["globalThis", globalThis], ["event", event], ["ctx", ctx],
          ["response", response], ["responseHeaders", response.headers], ["json", await response.clone().json()],
          ["body", await response.arrayBuffer()], ["failure", failure], ["key", key],
          ["signature", await crypto.subtle.sign("HMAC", key, new Uint8Array(4))],
          ["digest", await crypto.subtle.digest("SHA-256", new Uint8Array(4))],
          ["url", new URL("https://example.com/a?b=c")], ["request", new Request("https://example.com/")],
          ["random", crypto.getRandomValues(new Uint8Array(4))], ["timer", setTimeout(() => {}, 1)],
          ["clone", structuredClone({ a: [1] })], ["encoded", new TextEncoder().encode("x")],
        ];
        return (${WALKER})(roots);
      }`,
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    const walk = out.result as Walk;
    expect(walk.visited).toBeGreaterThan(500); // it really walked the built-ins and the prelude
    expect(walk.found).toEqual([]);
  });

  it("getters planted on Object.prototype cannot turn a host reply into a Reference", async () => {
    // The attack as found: isolated-vm looks up `timeout` on the prelude's options; a getter there
    // rewrites the result options to ask for a Reference, and an `ok` getter catches the reply.
    const out = await runSource(
      rt,
      `export default async () => {
        const caught = [];
        let rewritten = 0;
        Object.defineProperty(Object.prototype, "timeout", { configurable: true, get() {
          const r = this.result;
          if (r && typeof r === "object") {
            try { delete r.copy; r.reference = true; rewritten++; } catch {}
          }
          return undefined;
        } });
        Object.defineProperty(Object.prototype, "ok", { configurable: true, get() { caught.push(this); return undefined; } });
        let fetched, timed;
        try { fetched = await fetch("${base}/x"); } catch (e) { fetched = String(e); }
        try { timed = await new Promise((r) => setTimeout(() => r("fired"), 1)); } catch (e) { timed = String(e); }
        delete Object.prototype.timeout;
        delete Object.prototype.ok;
        return { rewritten, fetchedStatus: fetched && fetched.status, timed, walk: (${WALKER})([["caught", caught], ["fetched", fetched]]) };
      }`,
    );
    expect(out.status, JSON.stringify(out.error)).toBe("ok");
    const r = out.result as { rewritten: number; fetchedStatus: number; timed: string; walk: Walk };
    expect(r.walk.found).toEqual([]);
    expect(r).toMatchObject({ rewritten: 0, fetchedStatus: 200, timed: "fired" });
  });

  it("takes a code cache only for its own prelude, and uses no snapshots, transfer lists or native modules", () => {
    const dir = new URL("../../runtime/src/sandbox/", import.meta.url).pathname;
    const uses: Record<string, string[]> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(dir + file, "utf8");
      for (const feature of ["cachedData", "createSnapshot", "snapshot:", "transferList", "NativeModule"]) {
        if (text.includes(feature)) uses[feature] = [...(uses[feature] ?? []), file];
      }
    }
    expect(uses).toEqual({ cachedData: ["warm-isolate.ts"] });
    // ...and there, only for the prelude's compile (user scripts compile in version-sandbox.ts).
    const warm = readFileSync(`${dir}warm-isolate.ts`, "utf8");
    expect(warm.match(/compileScript\w*\(/g)).toEqual(["compileScriptSync("]);
    expect(warm).toMatch(/compileScriptSync\(preludeSource\(\)/);
  });
});
