// The editor UI (editor-ui/, bundled into dist/editor by scripts/build.mjs): its page at `/` and
// its static files under `/assets/`. Everything is read from disk once and kept in memory; the
// bundle is a few MB and never changes while the process runs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";

export interface EditorAsset {
  body: Uint8Array;
  contentType: string;
  /** The gzipped body of a text file, made on first request (Monaco's TypeScript worker is 7 MB). */
  gzipped(): Uint8Array | null;
}

export interface EditorAssets {
  /** The page served at `/`; a short explanation when the editor has not been built. */
  page: string;
  built: boolean;
  /** Files under /assets/, keyed by their path below it (e.g. `main.js`). */
  files: Map<string, EditorAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ttf": "font/ttf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hookrun</title></head>
<body><h1>hookrun</h1><p>The editor has not been built. Run <code>npm run build</code> (or start with
<code>npm start</code>, which builds it). The API is described at <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>`;

export function loadEditorAssets(dir: string | undefined): EditorAssets {
  const index = dir ? join(dir, "index.html") : "";
  if (!dir || !existsSync(index)) return { page: NOT_BUILT, built: false, files: new Map() };
  const assetsDir = join(dir, "assets");
  const files = new Map<string, EditorAsset>();
  if (existsSync(assetsDir)) {
    for (const entry of readdirSync(assetsDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const key = relative(assetsDir, path).split(sep).join("/");
      files.set(key, asset(readFileSync(path), CONTENT_TYPES[extname(path)] ?? "application/octet-stream"));
    }
  }
  return { page: readFileSync(index, "utf8"), built: true, files };
}

function asset(body: Uint8Array, contentType: string): EditorAsset {
  const compressible = /^text\/|json|svg/.test(contentType) && body.byteLength > 1024;
  let gzipped: Uint8Array | undefined;
  return {
    body,
    contentType,
    gzipped: () => {
      if (!compressible) return null;
      gzipped ??= gzipSync(body);
      return gzipped;
    },
  };
}

/**
 * The page's Content Security Policy: only our own scripts, Monaco's workers from our origin,
 * inline styles (Monaco sets them), images as data: URIs (Monaco's CSS has some), and connections
 * to this origin. No CDN, no eval, no blob: workers. No page may frame it.
 */
export const EDITOR_CSP = editorCsp({ frameAncestors: "'none'", imgSrc: "'self' data:" });

/**
 * The portal page's policy: the editor's, except that the origins of HOOKRUN_PORTAL_ORIGINS may
 * frame it (none when the list is empty), and images may come from any http(s) address, because a
 * session's theme names its logo by URL and the page is served before the session is known.
 */
export function portalCsp(origins: readonly string[]): string {
  return editorCsp({
    frameAncestors: origins.length > 0 ? origins.join(" ") : "'none'",
    imgSrc: "'self' data: https: http:",
  });
}

function editorCsp(parts: { frameAncestors: string; imgSrc: string }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    `img-src ${parts.imgSrc}`,
    "connect-src 'self'",
    `frame-ancestors ${parts.frameAncestors}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}
