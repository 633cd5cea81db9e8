// The browser-safe face of @hookrun/runtime (`@hookrun/runtime/browser`): pure constants and types the
// editor shows. Nothing here may reach isolated-vm, esbuild or node:*; the editor bundles this entry.
export { MAX_ATTEMPTS, RETRY_SCHEDULE_MS } from "./retry";
export type { SigningConfig } from "./signing";
