// Protects the hook filter in the editor, in a real browser against the real service: the saved
// filter shows in the settings; "Test filter" sends the filter as typed (unsaved) with the sample
// event and shows matches / does not match; a filter the service refuses is named by the path of its
// bad part under the field, from the test and from a save; text that is not JSON is said at once;
// saving and clearing the filter reach the service; the hook's activity counts what it filtered out;
// a new hook's form has the field.
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

describeBrowser("hook filters in the editor", () => {
  let server: EditorServer;
  let browser: Browser;
  let keys: WorkspaceKeys;

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    keys = await server.api.workspace("filters-ui");
    await api("POST", "/event-types", { name: "order.created" });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    server.api.request(method, `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });

  async function settingsOf(hookId: string, name: string): Promise<{ page: Page; errors: string[] }> {
    const opened = await openPage(browser, server.url);
    await signIn(opened.page, keys.admin);
    await opened.page.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    await opened.page.goto(`${server.url}/#/w/${keys.ws}/hooks/${hookId}`);
    await opened.page.getByRole("heading", { name }).waitFor();
    await opened.page.getByRole("tab", { name: "Settings" }).click();
    return opened;
  }

  it("tests the unsaved filter against an event, names a bad part, and saves and clears it", async () => {
    const made = await api("POST", "/hooks", {
      kind: "callback",
      name: "big-orders",
      events: ["order.created"],
      urls: ["https://receiver.example.com/orders"],
      filter: { "data.amount": { $gte: 100 } },
    });
    expect(made.status).toBe(201);
    const { page, errors } = await settingsOf(made.body.id, "big-orders");
    const filter = page.getByLabel("Filter (JSON, optional)");
    const event = page.getByLabel("Event (JSON)");
    const verdict = page.locator("output.filter-verdict");
    expect(JSON.parse(await filter.inputValue())).toEqual({ "data.amount": { $gte: 100 } });

    // The saved filter, through the editor's copy of it.
    await event.fill(JSON.stringify({ type: "order.created", data: { amount: 150 } }));
    await page.getByRole("button", { name: "Test filter" }).click();
    await verdict.getByText("Matches: this event would be delivered").waitFor();
    await event.fill(JSON.stringify({ type: "order.created", data: { amount: 50 } }));
    await page.getByRole("button", { name: "Test filter" }).click();
    await verdict.getByText("Does not match").waitFor();

    // Edited, not saved: the test uses the text as it stands.
    await filter.fill('{"data.amount": {"$lt": 60}}');
    await page.getByRole("button", { name: "Test filter" }).click();
    await verdict.getByText("Matches: this event would be delivered").waitFor();

    // The service's refusal, with the path of the bad part, under the field.
    await filter.fill('{"$or": [{"type": "order.created"}, {"data.amount": {"$gt": true}}]}');
    await page.getByRole("button", { name: "Test filter" }).click();
    await page
      .locator(".field-error", { hasText: "$or.1.data.amount.$gt: must be a number or a string" })
      .waitFor();
    expect(await verdict.textContent()).toBe("");

    // Not JSON: said at once, before anything is sent.
    await filter.fill('{"data.amount": ');
    await page.getByText(/^not JSON:/).waitFor();

    // Saved: what the service holds; then a refused save names the part too.
    await filter.fill('{"context.source": "checkout"}');
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    expect((await api("GET", `/hooks/${made.body.id}`)).body.filter).toEqual({
      "context.source": "checkout",
    });
    await filter.fill('{"timestamp": {"$gt": "2026"}}');
    await page.getByRole("button", { name: "Save changes" }).click();
    // Under the field (the save bar's notice lists it too, with its full path).
    await page
      .locator(".field-error", { hasText: "timestamp: must start at type, data or context" })
      .waitFor();
    expect((await api("GET", `/hooks/${made.body.id}`)).body.filter).toEqual({
      "context.source": "checkout",
    });

    // An event the saved filter turns away shows in the hook's activity as filtered out.
    const ingested = await server.api.request("POST", `/v1/workspaces/${keys.ws}/events`, {
      key: keys.ingest,
      body: { type: "order.created", data: { amount: 1 }, context: { source: "web" } },
    });
    expect(ingested.body.deliveries).toEqual([]);
    await page.getByRole("tab", { name: "Activity" }).click();
    const tile = page.locator(".stat-tiles div", { hasText: "Filtered out" });
    await expect.poll(() => tile.locator("dd").textContent()).toBe("1");
    await page.getByRole("tab", { name: "Settings" }).click();

    // Emptied: no filter.
    await filter.fill("");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    expect((await api("GET", `/hooks/${made.body.id}`)).body.filter).toBeNull();
    expect(errors).toEqual([]);
  });

  it("creates a hook with a filter from the new hook form", async () => {
    const opened = await openPage(browser, server.url);
    const { page, errors } = opened;
    await signIn(page, keys.admin);
    await page.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/new/function`);
    await page.getByLabel("Name", { exact: true }).fill("vip-only");
    await page.getByRole("checkbox", { name: "order.created", exact: true }).check();
    await page.getByText("Once the hook is saved, you can test the filter").waitFor();
    await page.getByLabel("Filter (JSON, optional)").fill('{"data.tags": {"$contains": "vip"}}');
    await page.getByRole("button", { name: "Create hook" }).click();
    await page.waitForURL(/#\/w\/[^/]+\/hooks\/hk_/);
    const list = await api("GET", "/hooks");
    const created = list.body.data.find((h: { name: string }) => h.name === "vip-only");
    expect(created.filter).toEqual({ "data.tags": { $contains: "vip" } });
    expect(errors).toEqual([]);
  });
});
