// Protects the compile step: TS/JS with a default export becomes one script plus source map, and
// everything else (syntax errors, no default export, any import) is a diagnostic with a position.
import { describe, expect, it } from "vitest";
import { compileFunction } from "../../runtime/src/index";

describe("compileFunction", () => {
  it("compiles TypeScript with a default export to a script and a source map", async () => {
    const out = await compileFunction("type E = { n: number };\nexport default async (e: E) => e.n + 1;");
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.code).toContain("__hookrun_module");
    expect(JSON.parse(out.sourceMap).sources).toEqual(["function.ts"]);
  });

  it("accepts plain JavaScript", async () => {
    const out = await compileFunction("export default function (e) { return e }", { filename: "hook.js" });
    expect(out.ok).toBe(true);
  });

  it.each([
    ["a syntax error", "export default function () {\n  return (;\n}", 2, "Unexpected"],
    ["a missing default export", "export const handler = () => 1;", 1, "default export"],
    [
      "a static import",
      "import fs from 'node:fs';\nexport default () => fs;",
      1,
      "imports are not supported",
    ],
    ["an unused import", "import x from 'lodash';\nexport default () => 1;", 1, "no module loading"],
    [
      "a dynamic import",
      "export default async () => {\n  await import('node:fs');\n}",
      2,
      "imports are not supported",
    ],
    [
      "a require call",
      "const cp = require('child_process');\nexport default () => cp;",
      1,
      "imports are not supported",
    ],
    ["top-level await", "const x = await 1;\nexport default () => x;", 1, "Top-level await"],
  ])("reports %s with a line and column", async (_label, source, line, message) => {
    const out = await compileFunction(source);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    const first = out.diagnostics[0];
    expect(first?.line).toBe(line);
    expect(first?.column).toBeGreaterThanOrEqual(1);
    expect(first?.message).toContain(message);
  });
});
