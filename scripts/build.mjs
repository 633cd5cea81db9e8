// Bundles the service into dist/: the CLI (api + runtime) and the sandbox executor entry.
// Packages stay external: native addons (isolated-vm) and PGlite's WASM must load from node_modules.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: { cli: "api/src/cli.ts", executor: "runtime/src/sandbox/executor.ts" },
  outdir: "dist",
});
