// Bundles the service into dist/: the CLI (api + runtime), the sandbox executor entry, and the
// editor UI (dist/editor: its page, its script, Monaco and Monaco's workers; no CDN).
// Third-party packages of the service stay external: native addons (isolated-vm) and PGlite's WASM
// load from node_modules.
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  // Our own workspaces are TypeScript sources: bundle them rather than import them at run time.
  alias: { "@hookrun/runtime": "./runtime/src/index.ts" },
};

// The editor is built beside dist/editor and swapped in by two renames at the end, so a server
// starting meanwhile never reads it half-written (it may miss it only between the two renames).
const editorStaging = `dist/editor.build-${process.pid}`;

const browser = {
  bundle: true,
  platform: "browser",
  target: "es2022",
  format: "esm",
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning",
  outdir: `${editorStaging}/assets`,
  // Entry points keep fixed names (the page and MonacoEnvironment point at them); everything else
  // carries a content hash, so the server may cache it for ever.
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "files/[name]-[hash]",
  loader: { ".ttf": "file" },
};

await mkdir(editorStaging, { recursive: true });

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
  // Monaco's workers: the editor's own and the TypeScript language service. Third-party code:
  // no source maps (the TypeScript worker's alone would be 19 MB).
  build({
    ...browser,
    sourcemap: false,
    entryPoints: {
      "editor.worker": "monaco-editor/editor/editor.worker.js",
      "ts.worker": "monaco-editor/language/typescript/ts.worker.js",
      "json.worker": "monaco-editor/language/json/json.worker.js",
    },
  }),
  copyFile("editor-ui/index.html", `${editorStaging}/index.html`),
]).catch(async (error) => {
  await rm(editorStaging, { recursive: true, force: true });
  throw error;
});

const previous = `dist/editor.old-${process.pid}`;
await rename("dist/editor", previous).catch(() => {});
await rename(editorStaging, "dist/editor").catch(async () => {
  // Another build swapped its own in between our renames: ours is as new; replace theirs.
  await rm("dist/editor", { recursive: true, force: true });
  await rename(editorStaging, "dist/editor");
});
await rm(previous, { recursive: true, force: true });
