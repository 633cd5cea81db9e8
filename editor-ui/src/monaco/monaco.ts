// Monaco, configured for function hooks. This module is only ever imported lazily (load.ts), so its
// ~4 MB stay out of the sign-in page: the editor core with its features, the TypeScript language
// (tokenizer + language service), and the sandbox's declarations. Workers are prebuilt by
// scripts/build.mjs at fixed URLs; its CSS goes into main.css (see load.ts).
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/internal/common/workers";
import "monaco-editor/languages/definitions/typescript/register";
import {
  ModuleKind,
  ScriptTarget,
  typescriptDefaults,
} from "monaco-editor/languages/features/typescript/register";
import { SANDBOX_LIBS, SANDBOX_TYPES } from "./sandbox-types";

const WORKERS: Record<string, string> = {
  typescript: "/assets/ts.worker.js",
  javascript: "/assets/ts.worker.js",
  json: "/assets/json.worker.js",
};

self.MonacoEnvironment = {
  getWorker(_moduleId: string, label: string) {
    return new Worker(WORKERS[label] ?? "/assets/editor.worker.js", { type: "module", name: label });
  },
};

// The isolate runs current V8; `lib` (not the target) decides which globals exist. Untyped
// parameters stay allowed (plain JavaScript works); typed ones get IntelliSense.
typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  lib: SANDBOX_LIBS,
  strict: true,
  noImplicitAny: false,
  noEmit: true,
  allowNonTsExtensions: true,
  isolatedModules: true,
  // No @types packages exist in the editor; none should be looked for.
  types: [],
});
typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
typescriptDefaults.addExtraLib(SANDBOX_TYPES, "file:///hookrun/sandbox.d.ts");

let hookLib: monaco.IDisposable | null = null;

/** Replaces the per-hook declarations (HookEvent, secret names) the TypeScript service sees. */
export function setHookDeclarations(text: string): void {
  hookLib?.dispose();
  hookLib = typescriptDefaults.addExtraLib(text, "file:///hookrun/hook.d.ts");
}

export { monaco };
