// Bundles the service into dist/: the CLI (api + runtime), the sandbox executor entry, and the
// editor UI (dist/editor: its page, its script, Monaco and Monaco's workers; no CDN).
// Third-party packages of the service stay external: native addons (isolated-vm) and PGlite's WASM
// load from node_modules.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  // Our own workspaces are TypeScript sources: bundle them rather than import them at run time.
  alias: { "@hookrun/runtime": "./runtime/src/index.ts" },
};

const browser = {
  bundle: true,
  platform: "browser",
  target: "es2022",
  format: "esm",
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning",
  outdir: "dist/editor/assets",
  // Entry points keep fixed names (the page and MonacoEnvironment point at them); everything else
  // carries a content hash, so the server may cache it for ever.
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "files/[name]-[hash]",
  loader: { ".ttf": "file" },
};

await rm("dist/editor", { recursive: true, force: true });
await mkdir("dist/editor", { recursive: true });

await Promise.all([
  build({
    ...common,
    entryPoints: { cli: "api/src/cli.ts", executor: "runtime/src/sandbox/executor.ts" },
    outdir: "dist",
  }),
  build({
    ...browser,
    entryPoints: { main: "editor-ui/src/main.tsx" },
    splitting: true,
    jsx: "automatic",
    jsxImportSource: "preact",
  }),
  // Monaco's workers: the editor's own and the TypeScript language service.
  build({
    ...browser,
    entryPoints: {
      "editor.worker": "monaco-editor/editor/editor.worker.js",
      "ts.worker": "monaco-editor/language/typescript/ts.worker.js",
      "json.worker": "monaco-editor/language/json/json.worker.js",
    },
  }),
  copyFile("editor-ui/index.html", "dist/editor/index.html"),
]);
