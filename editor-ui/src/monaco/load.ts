// Loads Monaco on first use: its script is a dynamic import, split out by esbuild, so the sign-in
// page does not pay for it. Its stylesheet needs no loading here: esbuild puts the CSS reachable
// from an entry point, lazily imported chunks included, into that entry's main.css (by design,
// evanw/esbuild#1590), which index.html links.

export type MonacoModule = typeof import("./monaco");

let loading: Promise<MonacoModule> | null = null;

/** Monaco and its setup; loaded once, and again after a failed attempt. */
export function loadMonaco(): Promise<MonacoModule> {
  loading ??= import("./monaco").catch((error: unknown) => {
    loading = null;
    throw new Error(
      `The code editor could not be loaded (${error instanceof Error ? error.message : String(error)})`,
    );
  });
  return loading;
}
