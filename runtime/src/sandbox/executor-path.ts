// Where the executor child's entry file is. ONE mechanism, in this order:
//  1. `executorPath` given to FunctionRuntime (an explicit file) — used as is.
//  2. `executor.js` next to the running module. In production, scripts/build.mjs bundles this
//     module into dist/cli.js and the executor into dist/executor.js, so import.meta.url points
//     into dist/ and the sibling exists.
//  3. Running from TypeScript sources (vitest, tsx): no build step has happened, so we bundle
//     ./executor.ts with esbuild once into os.tmpdir(), named by the bundle's content hash.
//     isolated-vm (a native addon) stays external, imported by absolute path so the bundle loads
//     from any directory.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

let bundled: Promise<string> | undefined;

export function resolveExecutorPath(explicit?: string): Promise<string> {
  if (explicit) return Promise.resolve(explicit);
  const sibling = fileURLToPath(new URL("./executor.js", import.meta.url));
  if (existsSync(sibling)) return Promise.resolve(sibling);
  bundled ??= bundleFromSource();
  return bundled;
}

async function bundleFromSource(): Promise<string> {
  const entry = fileURLToPath(new URL("./executor.ts", import.meta.url));
  if (!existsSync(entry)) throw new Error(`hookrun: no executor found next to ${import.meta.url}`);
  const ivmPath = createRequire(import.meta.url).resolve("isolated-vm");
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "node",
    target: "node24",
    format: "esm",
    logLevel: "silent",
    plugins: [
      {
        name: "isolated-vm-absolute",
        setup(b) {
          b.onResolve({ filter: /^isolated-vm$/ }, () => ({ path: ivmPath, external: true }));
        },
      },
    ],
  });
  const text = result.outputFiles[0]?.text ?? "";
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
  const file = join(tmpdir(), `hookrun-executor-${hash}.mjs`);
  if (!existsSync(file)) {
    // Write-then-rename: concurrent test workers may race to create the same file.
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, file);
  }
  return file;
}
