// Protects delivery control in the editor, in a real browser against the real service: a new
// callback hook's form sets the rate limit, FIFO order and the breaker's threshold; the settings show
// what is stored, save changes (an emptied rate is no limit), and name the service's refusal of a bad
// rate under its field; a hook page says which of its URLs' circuits are open, and when they probe.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import {
  describeBrowser,
  type EditorServer,
  launchBrowser,
  openPage,
  signIn,
  startEditorServer,
} from "./support/browser";

describeBrowser("delivery control in the editor", () => {
  let server: EditorServer;
  let browser: Browser;
  let keys: WorkspaceKeys;

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    keys = await server.api.workspace("delivery-control-ui");
    await api("POST", "/event-types", { name: "order.created" });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    server.api.request(method, `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });

  async function signedIn(): Promise<{ page: Page; errors: string[] }> {
    const opened = await openPage(browser, server.url);
    await signIn(opened.page, keys.admin);
    await opened.page.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    return opened;
  }

  it("creates a callback hook with a rate, FIFO and a breaker threshold, and edits them", async () => {
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/new/callback`);
    await page.getByLabel("Name", { exact: true }).fill("ordered-orders");
    await page.getByRole("checkbox", { name: "order.created", exact: true }).check();
    await page.getByLabel("URLs").fill("https://receiver.example.com/orders");
    await page.getByLabel("Rate limit (deliveries per second)").fill("2.5");
    await page.getByRole("checkbox", { name: /FIFO/ }).check();
    await page.getByLabel("Circuit breaker (failures in a row)").fill("4");
    await page.getByRole("button", { name: "Create hook" }).click();
    await page.waitForURL(/#\/w\/[^/]+\/hooks\/hk_/);
    const id = page.url().match(/hooks\/(hk_[^/?#]+)/)![1]!;
    const stored = (await api("GET", `/hooks/${id}`)).body;
    expect(stored).toMatchObject({ rateLimit: 2.5, fifo: true, breaker: { failures: 4 } });

    await page.getByRole("tab", { name: "Settings" }).click();
    const rate = page.getByLabel("Rate limit (deliveries per second)");
    await expect.poll(() => rate.inputValue()).toBe("2.5");
    expect(await page.getByRole("checkbox", { name: /FIFO/ }).isChecked()).toBe(true);
    expect(await page.getByLabel("Circuit breaker (failures in a row)").inputValue()).toBe("4");

    // Refused by the service: said under the field, nothing stored.
    await rate.fill("20000");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator(".field-error", { hasText: "must be at most 10,000 a second" }).waitFor();
    expect((await api("GET", `/hooks/${id}`)).body.rateLimit).toBe(2.5);

    // Emptied: no limit; FIFO off; the breaker's threshold changed.
    await rate.fill("");
    await page.getByRole("checkbox", { name: /FIFO/ }).uncheck();
    await page.getByLabel("Circuit breaker (failures in a row)").fill("12");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    expect((await api("GET", `/hooks/${id}`)).body).toMatchObject({
      rateLimit: null,
      fifo: false,
      breaker: { failures: 12 },
    });
    expect(errors).toEqual([]);
  });

  it("sets a function hook's rate limit, without callback-only fields", async () => {
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/new/function`);
    await page.getByLabel("Name", { exact: true }).fill("slow-function");
    await page.getByRole("checkbox", { name: "order.created", exact: true }).check();
    await page.getByLabel("Rate limit (deliveries per second)").fill("0.5");
    expect(await page.getByRole("checkbox", { name: /FIFO/ }).count()).toBe(0);
    await page.getByRole("button", { name: "Create hook" }).click();
    await page.waitForURL(/#\/w\/[^/]+\/hooks\/hk_/);
    const list = await api("GET", "/hooks");
    const created = list.body.data.find((h: { name: string }) => h.name === "slow-function");
    expect(created.rateLimit).toBe(0.5);
    expect(errors).toEqual([]);
  });

  it("says on the hook's page which URL's circuit is open and when it probes", async () => {
    const made = await api("POST", "/hooks", {
      kind: "callback",
      name: "tripped",
      events: ["order.created"],
      urls: ["https://down.example.com/hook", "https://up.example.com/hook"],
    });
    expect(made.status).toBe(201);
    // As the worker leaves it after the breaker's threshold of failures (no worker runs here).
    const since = new Date();
    const nextProbeAt = new Date(since.getTime() + 30_000);
    await server.api.db
      .insertInto("url_states")
      .values({
        hook_id: made.body.id,
        url: "https://down.example.com/hook",
        failures: 10,
        state: "open",
        since,
        next_probe_at: nextProbeAt,
        cooldown_ms: 30_000,
      })
      .execute();
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/${made.body.id}`);
    await page.getByRole("heading", { name: "tripped" }).waitFor();
    const notice = page.getByTestId("circuit-notice");
    await notice.getByText("Circuit open for https://down.example.com/hook").waitFor();
    expect(await notice.textContent()).toContain("one probe goes at");
    expect(await notice.textContent()).not.toContain("up.example.com");
    expect(errors).toEqual([]);
  });
});
