// Protects how the service hands out the editor: `/` is the page with a strict CSP (or, before a
// build, a page saying how to build it), /assets/ serves the bundle with the right types, gzip and
// caching, an unknown asset is a 404 in the error envelope, and GET /v1/me tells the editor who a
// key is (role and workspace) without revealing anything else.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

function fakeEditorBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), "hookrun-editor-"));
  mkdirSync(join(dir, "assets/chunks"), { recursive: true });
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>hookrun</title><div id=app></div>");
  writeFileSync(join(dir, "assets/main.js"), `console.log(${JSON.stringify("x".repeat(5000))});`);
  writeFileSync(join(dir, "assets/chunks/monaco-AB12CD34.js"), "export const m = 1;");
  writeFileSync(join(dir, "assets/codicon-ZZ99YY88.ttf"), Buffer.from([0, 1, 0, 0]));
  return dir;
}

describe.each(testDatabases)("the editor and /v1/me on $name", (target) => {
  let api: TestApi;
  let unbuilt: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target, { editorDir: fakeEditorBuild() });
    unbuilt = await startTestApi(target, { editorDir: join(tmpdir(), "hookrun-no-such-dir") });
    acme = await api.workspace("acme");
  });
  afterAll(async () => {
    await api.close();
    await unbuilt.close();
  });

  it("serves the page at / with a CSP that allows only its own scripts", async () => {
    const res = await api.fetch(new Request("http://test/"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("blob:");
    expect(await res.text()).toContain("<div id=app>");
  });

  it("says how to build the editor when it has not been built", async () => {
    const res = await unbuilt.fetch(new Request("http://test/"));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("npm run build");
  });

  it("serves assets with their type, gzip when asked, and long caching only for hashed names", async () => {
    const plain = await api.fetch(new Request("http://test/assets/main.js"));
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("cache-control")).toBe("no-cache");
    const text = await plain.text();

    const zipped = await api.fetch(
      new Request("http://test/assets/main.js", { headers: { "accept-encoding": "gzip, br" } }),
    );
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("Accept-Encoding");
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(bytes.byteLength).toBeLessThan(text.length / 10);
    expect(gunzipSync(bytes).toString()).toBe(text);

    const chunk = await api.fetch(new Request("http://test/assets/chunks/monaco-AB12CD34.js"));
    expect(chunk.headers.get("cache-control")).toContain("immutable");
    const font = await api.fetch(
      new Request("http://test/assets/codicon-ZZ99YY88.ttf", { headers: { "accept-encoding": "gzip" } }),
    );
    expect(font.headers.get("content-type")).toBe("font/ttf");
    expect(font.headers.get("content-encoding")).toBeNull();
  });

  it("answers an unknown asset, or a path climbing out, with a 404 in the error envelope", async () => {
    for (const path of [
      "/assets/nope.js",
      "/assets/../index.html",
      "/assets/%2e%2e/index.html",
      "/assets/..%2Findex.html",
      "/assets/chunks%2F..%2F..%2Findex.html",
      "/assets/%2e%2e%2Fmain.js",
    ]) {
      const res = await api.request("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });

  it("tells each key its role and workspace (id and name), and refuses a request without a key", async () => {
    expect((await api.request("GET", "/v1/me", { key: api.rootKey })).body).toEqual({
      role: "root",
      workspaceId: null,
      workspaceName: null,
    });
    for (const role of ["admin", "operator", "ingest"] as const) {
      const res = await api.request("GET", "/v1/me", { key: acme[role] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ role, workspaceId: acme.ws, workspaceName: "acme" });
    }
    const anonymous = await api.request("GET", "/v1/me");
    expect(anonymous.status).toBe(401);
  });
});
