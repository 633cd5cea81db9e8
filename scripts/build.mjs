// Bundles the service into dist/: the CLI (api + runtime) and the sandbox executor entry.
// Third-party packages stay external: native addons (isolated-vm) and PGlite's WASM load from
// node_modules.
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

await build({
  ...common,
  entryPoints: { cli: "api/src/cli.ts", executor: "runtime/src/sandbox/executor.ts" },
  outdir: "dist",
});
