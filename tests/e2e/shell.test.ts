// Protects the editor's frame in a real browser: the page is served at `/` with its assets and CSP,
// a key signs in (and a wrong one is told so where it was typed), the root key picks or creates a
// workspace, a reload keeps the session, and sign-out forgets the key; an ingest key is refused at
// sign-in and a key revoked while in use is signed out with a notice; the sidebar names the
// workspace (its name, the id beside it) for the root key and for a workspace key; and the frame is
// usable by keyboard alone at 1280x800.
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
    // The sidebar names the workspace; its id is the secondary line.
    const wsId = /#\/w\/(ws_[^/]+)\//.exec(page.url())?.[1] ?? "";
    const named = page.getByTestId("workspace-name");
    await expect.poll(() => named.locator("strong").textContent()).toBe("acme");
    expect(await named.textContent()).toBe(`Workspace acme${wsId}`);
    expect(await named.getAttribute("title")).toBe(wsId);
    await page.getByRole("link", { name: "Switch workspace" }).waitFor();

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
    // A workspace key cannot read /v1/workspaces; the sidebar still names its workspace.
    await expect.poll(() => page.getByTestId("workspace-name").locator("strong").textContent()).toBe("beta");
    expect(await page.getByRole("link", { name: "Switch workspace" }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("is usable by keyboard alone and fits 1280x800 without sideways scrolling", async () => {
    const keys = await server.api.workspace("keyboard");
    const { page, errors } = await openPage(browser, server.url);
    // The key field has the focus on arrival (typing before the app has rendered would lose keys);
    // Enter submits.
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('name')")).toBe("key");
    await page.keyboard.type(keys.admin);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Hooks", exact: true }).waitFor();

    // Tab reaches the navigation; Enter follows a link.
    const focusOn = async (name: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        if ((await page.evaluate("document.activeElement?.textContent?.trim()")) === name) return;
      }
      throw new Error(`Tab never reached "${name}"`);
    };
    for (const [link, heading] of [
      ["Logs", "Logs"],
      ["Event types", "Event types"],
      ["API keys", "API keys"],
      ["Hooks", "Hooks"],
    ] as const) {
      await focusOn(link);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      expect(await page.evaluate("document.documentElement.scrollWidth"), heading).toBeLessThanOrEqual(1280);
    }

    // A hook page's tabs: arrow keys move between them.
    const hook = await server.api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, {
      key: keys.admin,
      body: { kind: "callback", name: "kb", events: ["verification"], urls: ["https://example.com/h"] },
    });
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/${hook.body.id}`);
    await page.getByRole("tab", { name: "Settings" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("tab", { name: "Activity" }).getAttribute("aria-selected")).toBe("true");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Activity");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    expect(errors).toEqual([]);
  });

  it("refuses an ingest key at sign-in, and signs out a key revoked while in use", async () => {
    const keys = await server.api.workspace("revoked");
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.ingest);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("ingest key");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);

    await signIn(page, keys.operator);
    // The list has loaded: no request with the key is in flight when it is revoked, so the sign-out
    // below comes from the next page's requests.
    await page.getByText("No hooks yet").waitFor();
    const listed = await server.api.request("GET", `/v1/workspaces/${keys.ws}/keys`, { key: keys.admin });
    const operatorKey = listed.body.data.find((k: { role: string }) => k.role === "operator");
    await server.api.request("DELETE", `/v1/workspaces/${keys.ws}/keys/${operatorKey.id}`, {
      key: keys.admin,
    });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" }).click();
    await page.getByRole("status").filter({ hasText: "no longer accepts this API key" }).waitFor();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(errors).toEqual([]);
  });
});
