// Protects the editor's sandbox declarations from drifting away from the isolate: the global values
// the editor's TypeScript service knows (the ES library files of SANDBOX_LIBS plus the
// SANDBOX_TYPES `.d.ts`) must be exactly the globals a real isolate has after the runtime's prelude
// (runtime/src/sandbox/prelude*.ts) ran, in both directions, save a short list of deliberate
// exceptions. A global added to (or removed from) the prelude, the `.d.ts` or the lib list alone
// fails here. Declared classes and functions must also be callable in the isolate.
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { SANDBOX_LIBS, SANDBOX_TYPES } from "../../editor-ui/src/monaco/sandbox-types";
import { FunctionRuntime } from "../../runtime/src/index";
import { runSource } from "../runtime/helpers";

const rt = new FunctionRuntime({ egress: { allow: [] } });
afterAll(() => rt.close());

/** Globals the isolate has that the editor deliberately does not declare, and why. */
const ISOLATE_ONLY: Record<string, string> = {
  __hookrun_module:
    "the compiled script's export slot: the runtime's own, non-deletable, emptied before user code runs",
};
/** Globals the editor declares that the isolate deliberately lacks, and why (none today). */
const DECLARED_ONLY: Record<string, string> = {};

/** Every global value name the isolate's global object has, as user code sees it. */
async function isolateGlobals(prefix = ""): Promise<string[]> {
  const out = await runSource(rt, `${prefix}\nexport default () => Object.getOwnPropertyNames(globalThis);`);
  expect(out.status, JSON.stringify(out.error)).toBe("ok");
  return out.result as string[];
}

/** The `typeof` of each name inside the isolate. */
async function isolateKinds(names: string[]): Promise<Record<string, string>> {
  const out = await runSource(
    rt,
    `export default () => Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, typeof globalThis[n]]));`,
  );
  expect(out.status, JSON.stringify(out.error)).toBe("ok");
  return out.result as Record<string, string>;
}

/** The global values the TypeScript service sees with the editor's libs and the given `.d.ts`. */
function declaredGlobals(sandboxTypes = SANDBOX_TYPES): string[] {
  // An empty script (not a module): its scope is exactly the global scope.
  const files: Record<string, string> = { "/sandbox.d.ts": sandboxTypes, "/probe.ts": "" };
  const options: ts.CompilerOptions = {
    lib: SANDBOX_LIBS.map((l) => `lib.${l}.d.ts`),
    types: [],
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => {
    const text = files[name];
    return text === undefined ? readFile(name, language) : ts.createSourceFile(name, text, language, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name in files || fileExists(name);
  const program = ts.createProgram(Object.keys(files), options, host);
  const probe = program.getSourceFile("/probe.ts");
  if (!probe) throw new Error("the probe file is missing from the program");
  return program
    .getTypeChecker()
    .getSymbolsInScope(probe, ts.SymbolFlags.Value)
    .map((s) => s.name);
}

/** The classes and functions the `.d.ts` itself declares (what the prelude must provide as callables). */
function declaredCallables(sandboxTypes = SANDBOX_TYPES): string[] {
  const file = ts.createSourceFile("/sandbox.d.ts", sandboxTypes, ts.ScriptTarget.Latest, true);
  return file.statements.flatMap((s) =>
    (ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name ? [s.name.text] : [],
  );
}

/** The differences between the two sides, minus the deliberate exceptions. */
function drift(isolate: string[], declared: string[]) {
  const inIsolate = new Set(isolate);
  const inDeclared = new Set(declared);
  return {
    undeclared: isolate.filter((n) => !inDeclared.has(n) && !(n in ISOLATE_ONLY)).sort(),
    missingInIsolate: declared.filter((n) => !inIsolate.has(n) && !(n in DECLARED_ONLY)).sort(),
  };
}

describe("the sandbox declarations and the isolate's globals", () => {
  it("name the same globals, both ways", async () => {
    const isolate = await isolateGlobals();
    const declared = declaredGlobals();
    // Not vacuous: both sides hold the ES built-ins and the prelude's web globals.
    for (const name of ["Array", "JSON", "Promise", "fetch", "crypto", "CryptoKey", "setTimeout"]) {
      expect(isolate, name).toContain(name);
      expect(declared, name).toContain(name);
    }
    expect(drift(isolate, declared)).toEqual({ undeclared: [], missingInIsolate: [] });
  });

  it("keeps every exception a real one (present on its side only)", async () => {
    const isolate = await isolateGlobals();
    const declared = declaredGlobals();
    for (const name of Object.keys(ISOLATE_ONLY)) {
      expect(isolate, name).toContain(name);
      expect(declared, name).not.toContain(name);
    }
    for (const name of Object.keys(DECLARED_ONLY)) {
      expect(declared, name).toContain(name);
      expect(isolate, name).not.toContain(name);
    }
  });

  it("declares as classes and functions only what the isolate can call", async () => {
    const callables = declaredCallables();
    expect(callables).toEqual(expect.arrayContaining(["fetch", "Headers", "URL", "CryptoKey", "atob"]));
    const kinds = await isolateKinds(callables);
    expect(Object.entries(kinds).filter(([, kind]) => kind !== "function")).toEqual([]);
  });

  it("notices a global added on one side only", async () => {
    // Declared but not installed: an isolate without setInterval.
    const declaredMore = declaredGlobals(`${SANDBOX_TYPES}\ndeclare function setInterval(): number;\n`);
    expect(drift(await isolateGlobals(), declaredMore)).toEqual({
      undeclared: [],
      missingInIsolate: ["setInterval"],
    });
    // Installed but not declared: a global the editor would call an error.
    const isolateMore = await isolateGlobals("(globalThis as any).hookrunExtra = 1;");
    expect(drift(isolateMore, declaredGlobals())).toEqual({
      undeclared: ["hookrunExtra"],
      missingInIsolate: [],
    });
  });
});
