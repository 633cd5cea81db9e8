// Protects the Node version rule: package.json's engines and .node-version agree, and on an older
// Node `npm start` (and `npm test`, `npm run migrate`) stops at once with one line naming the Node
// it needs, instead of failing later in a native addon or the sandbox.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeProblem } from "../../scripts/check-node.mjs";

const root = new URL("../..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const pinned = readFileSync(`${root}.node-version`, "utf8").trim();

/** The machine's own Node, when it is older than the one we need (Debian's Node 20 here). */
function olderSystemNode(): string | undefined {
  const out = spawnSync("/usr/bin/node", ["-p", "process.versions.node"], { encoding: "utf8" });
  return out.status === 0 && nodeProblem(out.stdout.trim(), pkg.engines.node) ? "/usr/bin" : undefined;
}

describe("the Node version rule", () => {
  it("has .node-version naming the lowest major that engines allows", () => {
    expect(pkg.engines.node).toBe(`>=${pinned}`);
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(Number(pinned));
  });

  it("says in one line which Node it needs", () => {
    expect(nodeProblem("20.20.2", ">=24")).toBe(
      'hookrun needs Node.js 24 or newer (this is 20.20.2); see "Start" in the README for how to get it',
    );
    expect(nodeProblem("24.0.0", ">=24")).toBeUndefined();
    expect(nodeProblem("26.12.1", ">=24")).toBeUndefined();
    expect(() => nodeProblem("24.0.0", "^24")).toThrow(/engines/);
  });

  it("runs the check first in start, migrate and test", () => {
    for (const script of ["start", "migrate", "test"]) {
      expect(pkg.scripts[script]).toMatch(/^node scripts\/check-node\.mjs && /);
    }
  });

  it.skipIf(!olderSystemNode())("stops npm start on an older Node at once, in one line", () => {
    const bin = olderSystemNode();
    const out = spawnSync("npm", ["start"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeout: 30_000,
    });
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^hookrun needs Node\.js 24 or newer/),
    ]);
  });
});
