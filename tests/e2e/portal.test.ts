// Protects the embeddable portal (PRODUCT.md "Portal") in real Chromium, as a platform uses it: its
// dashboard on one site (http://127.0.0.1:A) frames a fresh portal link of hookrun on another
// (http://localhost:B), with third-party cookies blocked, and the customer creates a callback hook
// in it; the theme shows; nothing is stored in a cookie; a second open of the link, a session ended
// while open and an expired one each end on a clear page; an origin not in HOOKRUN_PORTAL_ORIGINS
// cannot frame it at all.
//
// Third-party cookies are blocked by Chromium's own setting ("Block third-party cookies": the
// profile preferences `profile.cookie_controls_mode: 1` and `profile.block_third_party_cookies:
// true`, written into a fresh user-data-dir), and the test proves it took: a cookie the framed page
// sets is dropped, and its sessionStorage throws (so the portal runs from memory alone).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Frame, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import {
  CHROMIUM_PATH,
  describeBrowser,
  type EditorServer,
  STEP_TIMEOUT_MS,
  startEditorServer,
} from "./support/browser";

/** A platform's dashboard: a page framing `?src=` (the portal link), and a logo to theme with. */
interface Dashboard {
  origin: string;
  close(): Promise<void>;
}

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#0f766e"/></svg>`;

async function startDashboard(): Promise<Dashboard> {
  const server = await new Promise<Server>((resolve) => {
    const s = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://dashboard");
      if (url.pathname === "/logo.svg") {
        res.writeHead(200, { "content-type": "image/svg+xml" }).end(LOGO);
        return;
      }
      const src = (url.searchParams.get("src") ?? "").replace(/"/g, "&quot;");
      res
        .writeHead(200, { "content-type": "text/html" })
        .end(`<!doctype html><title>Dashboard</title><h1>Platform dashboard</h1>
<iframe id="portal" src="${src}" style="width:1200px;height:760px"></iframe>`);
    });
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no dashboard address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Chromium with "Block third-party cookies" set in its profile, as a user would set it. */
async function launchBlockingThirdPartyCookies(): Promise<{ context: BrowserContext; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "hookrun-portal-browser-"));
  mkdirSync(join(dir, "Default"));
  writeFileSync(
    join(dir, "Default", "Preferences"),
    JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true } }),
  );
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"],
  });
  return { context, dir };
}

describeBrowser("the embeddable portal", () => {
  let server: EditorServer;
  let dashboard: Dashboard;
  let stranger: Dashboard;
  let context: BrowserContext;
  let browserDir: string;
  let keys: WorkspaceKeys;
  /** The API's clock runs this far ahead: the expiry test moves it. */
  let offsetMs = 0;

  beforeAll(async () => {
    dashboard = await startDashboard();
    stranger = await startDashboard();
    server = await startEditorServer(testDatabases[0]!, {
      portalOrigins: [dashboard.origin],
      clock: () => new Date(Date.now() + offsetMs),
    });
    ({ context, dir: browserDir } = await launchBlockingThirdPartyCookies());
    keys = await server.api.workspace("customer");
  });
  afterAll(async () => {
    await context?.close();
    if (browserDir) rmSync(browserDir, { recursive: true, force: true });
    await server?.close();
    await dashboard?.close();
    await stranger?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    server.api.request(method, `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });

  async function portalLink(body: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
    const created = await api("POST", "/portal-sessions", { role: "admin", ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.url).toMatch(new RegExp(`^http://localhost:${server.port}/portal#token=`));
    return created.body;
  }

  /** The dashboard `host` framing `link`; the page's errors are collected. */
  async function framed(
    link: string,
    host = dashboard,
  ): Promise<{ page: Page; errors: string[]; console: string[] }> {
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    const console: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => console.push(message.text()));
    await page.goto(`${host.origin}/?src=${encodeURIComponent(link)}`);
    return { page, errors, console };
  }

  const portalFrame = (page: Page) => page.frameLocator("#portal");
  async function frameOf(page: Page): Promise<Frame> {
    const frame = await (await page.locator("#portal").elementHandle())?.contentFrame();
    if (!frame) throw new Error("no portal frame");
    return frame;
  }

  it("opens a fresh link in an allowed cross-site frame, themed, with no cookie, and the customer creates a callback hook", async () => {
    const link = await portalLink({
      theme: {
        name: "Acme Hooks",
        accentColor: "#0f766e",
        mode: "dark",
        logoUrl: `${dashboard.origin}/logo.svg`,
      },
    });
    const { page, errors } = await framed(link.url);
    const portal = portalFrame(page);
    await portal.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    const frame = await frameOf(page);

    // The token left the address at once; the page is the workspace's hooks.
    expect(frame.url()).toBe(`http://localhost:${server.port}/portal#/w/${keys.ws}/hooks`);
    // The theme: the name and logo in place of hookrun's, the accent colour on the page's buttons, dark.
    const brand = portal.getByTestId("portal-brand");
    expect(await brand.textContent()).toBe("Acme Hooks");
    await expect
      .poll(() =>
        brand.locator("img").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBe(40);
    const newHook = portal.getByRole("link", { name: "New hook" });
    type Styled = { getComputedStyle(el: unknown): { backgroundColor: string } };
    const background = (locator: ReturnType<Page["locator"]>) =>
      locator.evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor);
    expect(await background(newHook)).toBe("rgb(15, 118, 110)");
    expect(await background(portal.locator("html"))).toBe("rgb(15, 20, 27)");
    expect(await frame.evaluate("document.title")).toBe("Acme Hooks");

    // One workspace, no credentials to manage, no way out of it.
    expect(await portal.getByRole("link", { name: "API keys" }).count()).toBe(0);
    expect(await portal.getByText("Switch workspace").count()).toBe(0);
    expect(await portal.getByRole("button", { name: "Sign out" }).count()).toBe(0);

    // The customer makes a callback hook through the editor's own form.
    await newHook.click();
    await portal.getByRole("link", { name: /^Callback/ }).click();
    await portal.getByRole("heading", { name: "New callback hook" }).waitFor();
    await portal.getByLabel("Name", { exact: true }).fill("from-the-portal");
    await portal.getByRole("checkbox", { name: "verification", exact: true }).check();
    await portal.getByLabel("URLs").fill("https://receiver.example.com/hooks");
    await portal.getByRole("button", { name: "Create hook" }).click();
    await portal.getByRole("status").filter({ hasText: "Created “from-the-portal”." }).waitFor();
    const hooks = await api("GET", "/hooks");
    expect(hooks.body.data.map((h: { name: string }) => h.name)).toContain("from-the-portal");

    // The catalog is the platform's: the customer reads what it may subscribe to, and changes nothing.
    await portal.getByRole("link", { name: "Event types" }).click();
    await portal.getByText("These are the events you can subscribe to.").waitFor();
    expect(await portal.getByRole("button", { name: "New event type" }).count()).toBe(0);

    // Third-party cookies really are blocked in this frame, and the portal needed none at all.
    // (Evaluated as text: these tests are compiled without the DOM's types.)
    const cookieAfterProbe = "document.cookie = 'probe=1; SameSite=None; Secure; Path=/', document.cookie";
    expect(await frame.evaluate(cookieAfterProbe)).toBe("");
    const storage =
      "(() => { try { return 'usable ' + sessionStorage.length; } catch (e) { return 'blocked: ' + e.name; } })()";
    expect(await frame.evaluate(storage)).toBe("blocked: SecurityError");
    expect(await context.cookies()).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("refuses a second open of the same link with a page saying it was already used", async () => {
    const link = await portalLink();
    const first = await framed(link.url);
    await portalFrame(first.page).getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    const second = await framed(link.url);
    await portalFrame(second.page).getByRole("heading", { name: "This link was already used" }).waitFor();
    // The first stays open.
    await portalFrame(first.page).getByRole("link", { name: "Logs" }).click();
    await portalFrame(first.page).getByRole("heading", { name: "Logs", exact: true }).waitFor();
    await first.page.close();
    await second.page.close();
  });

  it("ends on a clear page when the session is ended while open", async () => {
    const link = await portalLink({ role: "operator" });
    const { page } = await framed(link.url);
    const portal = portalFrame(page);
    await portal.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    expect((await api("DELETE", `/portal-sessions/${link.id}`)).status).toBe(200);
    await portal.getByRole("link", { name: "Event types" }).click();
    await portal.getByRole("heading", { name: "Your session has ended" }).waitFor();
    await page.close();
  });

  it("ends on a clear page once the session expires, and an expired link is refused", async () => {
    const link = await portalLink({ ttlSeconds: 60 });
    const unopened = await portalLink({ ttlSeconds: 60 });
    const { page } = await framed(link.url);
    const portal = portalFrame(page);
    await portal.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    offsetMs = 61_000;
    try {
      await portal.getByRole("link", { name: "Logs" }).click();
      await portal.getByRole("heading", { name: "Your session has ended" }).waitFor();
      const late = await framed(unopened.url);
      await portalFrame(late.page)
        .getByRole("heading", { name: "This link has expired or is not valid" })
        .waitFor();
      await late.page.close();
    } finally {
      offsetMs = 0;
    }
    await page.close();
  });

  it("cannot be framed by an origin that is not in HOOKRUN_PORTAL_ORIGINS", async () => {
    const link = await portalLink();
    const portalAnswered = new Promise<string>((resolve) => {
      const pageListener = (response: { url(): string; headers(): Record<string, string> }) => {
        if (response.url().includes("/portal")) resolve(response.headers()["content-security-policy"] ?? "");
      };
      context.on("response", pageListener);
    });
    const { page, console } = await framed(link.url, stranger);
    // The answer came, and the browser refused to show it: its policy names only the dashboard.
    expect(await portalAnswered).toContain(`frame-ancestors ${dashboard.origin}`);
    await expect
      .poll(() => console.find((line) => line.includes("frame-ancestors")) ?? "")
      .toMatch(/violates the following Content Security Policy directive: "frame-ancestors .*blocked/);
    const frame = await frameOf(page);
    expect(frame.url()).not.toContain(`localhost:${server.port}`);
    expect(await portalFrame(page).locator("#app").count()).toBe(0);
    // The editor never ran, so the link was never exchanged: it still opens where it is allowed.
    const sessions = await api("GET", "/portal-sessions");
    expect(sessions.body.data.find((s: { id: string }) => s.id === link.id).usedAt).toBeNull();
    await page.close();
  });
});
