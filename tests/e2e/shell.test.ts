// Protects the editor's frame in a real browser: the page is served at `/` with its assets and CSP,
// a key signs in (and a wrong one is told so where it was typed), the root key picks or creates a
// workspace, a reload keeps the session, and sign-out forgets the key.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testDatabases } from "../support/db";
import {
  describeBrowser,
  type EditorServer,
  launchBrowser,
  openPage,
  signIn,
  startEditorServer,
} from "./support/browser";

describeBrowser("editor shell", () => {
  let server: EditorServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("serves the page with a strict CSP and its assets", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const script = await fetch(`${server.url}/assets/main.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    const missing = await fetch(`${server.url}/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("refuses a wrong key where it was typed, then signs in the root key and creates a workspace", async () => {
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, "hr_not_a_real_key_000000000000");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("unknown or revoked API key");

    await signIn(page, server.api.rootKey);
    await page.getByRole("heading", { name: "Workspaces" }).waitFor();
    await page.getByLabel("Name").fill("acme");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("link", { name: "Hooks" }).waitFor();
    expect(page.url()).toMatch(/#\/w\/ws_[^/]+\/hooks$/);

    await page.reload();
    await page.getByRole("link", { name: "Hooks" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(errors).toEqual([]);
  });

  it("takes a workspace key straight to its workspace, without the workspace picker", async () => {
    const keys = await server.api.workspace("beta");
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.operator);
    await page.getByRole("link", { name: "Logs" }).waitFor();
    expect(page.url()).toContain(`#/w/${keys.ws}/hooks`);
    expect(await page.getByRole("link", { name: "API keys" }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
