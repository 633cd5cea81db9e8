// Turns a customer's TypeScript/JavaScript into the one script an isolate runs, plus a source map
// for error stacks. The script assigns the module's exports to MODULE_GLOBAL (an IIFE), which the
// prelude picks up and clears. No module loading exists inside the sandbox, so any import is a
// diagnostic here rather than a confusing failure at run time.
import { build, type Message, type Plugin } from "esbuild";
import { MODULE_GLOBAL, SCRIPT_FILENAME } from "./script-names";

export type Diagnostic = { line: number; column: number; message: string };
export type CompileResult =
  | { ok: true; code: string; sourceMap: string }
  | { ok: false; diagnostics: Diagnostic[] };

const IMPORT_MESSAGE =
  "imports are not supported in function hooks: there is no module loading in the sandbox (yet); " +
  "inline the code you need";

// Every import (static, dynamic with a literal, or require) is refused with a clear message.
const noImports: Plugin = {
  name: "hookrun-no-imports",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      args.kind === "entry-point" ? undefined : { errors: [{ text: `${IMPORT_MESSAGE} ("${args.path}")` }] },
    );
  },
};

function toDiagnostic(m: Message): Diagnostic {
  // esbuild lines are 1-based and columns 0-based; editors (Monaco) want both 1-based.
  return { line: m.location?.line ?? 1, column: (m.location?.column ?? 0) + 1, message: m.text };
}

type BuildOutcome = { errors: Message[]; code?: string; sourceMap?: string; exports: string[] };

async function bundle(source: string, filename: string, format: "esm" | "iife"): Promise<BuildOutcome> {
  try {
    const result = await build({
      stdin: { contents: source, sourcefile: filename, loader: /\.m?js$/.test(filename) ? "js" : "ts" },
      bundle: true,
      write: false,
      format,
      globalName: format === "iife" ? MODULE_GLOBAL : undefined,
      platform: "neutral",
      target: "es2022",
      sourcemap: format === "iife" ? "external" : false,
      outfile: SCRIPT_FILENAME,
      metafile: format === "esm",
      logLevel: "silent",
      // Keep unused imports so they are refused too (TS semantics would silently drop them).
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      plugins: [noImports],
    });
    const js = result.outputFiles.find((f) => f.path.endsWith(".js"));
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"));
    const exports = Object.values(result.metafile?.outputs ?? {}).flatMap((o) => o.exports);
    return { errors: [], code: js?.text, sourceMap: map?.text, exports };
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (!Array.isArray(errors)) throw err;
    return { errors, exports: [] };
  }
}

/**
 * Compiles function source. The ESM pass checks syntax, imports and the default export (esbuild
 * only reports exports for ESM output); the IIFE pass produces the script the isolate runs.
 */
export async function compileFunction(
  source: string,
  opts: { filename?: string } = {},
): Promise<CompileResult> {
  const filename = opts.filename ?? "function.ts";
  const checked = await bundle(source, filename, "esm");
  if (checked.errors.length > 0) return { ok: false, diagnostics: checked.errors.map(toDiagnostic) };
  if (!checked.exports.includes("default")) {
    return {
      ok: false,
      diagnostics: [
        {
          line: 1,
          column: 1,
          message:
            "the function must have a default export: export default async function (event, ctx) { ... }",
        },
      ],
    };
  }
  const out = await bundle(source, filename, "iife");
  if (out.errors.length > 0) return { ok: false, diagnostics: out.errors.map(toDiagnostic) };
  if (out.code === undefined || out.sourceMap === undefined) throw new Error("esbuild produced no output");
  return { ok: true, code: out.code, sourceMap: out.sourceMap };
}
