// Protects the event catalog and API keys pages in a real browser: an admin sees the default event
// types, creates one with a JSON Schema and an example (bad JSON refused in the form before sending,
// the server's schema and example checks shown under the field), edits and deletes (a 409 for a
// subscribed type shown in the dialog); creates an ingest key that is shown once and works against
// the API, revokes it and the API refuses it; revoking the key you are signed in with warns and signs
// out; an operator gets no API keys page and a read-only catalog.
import type { Browser, Page } from "playwright-core";
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

describeBrowser("event catalog and API keys", () => {
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

  const card = (page: Page, name: string) => page.getByRole("article", { name, exact: true });
  const postEvent = (ws: string, key: string, body: unknown) =>
    fetch(`${server.url}/v1/workspaces/${ws}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("lists, creates, checks, edits and deletes event types", async () => {
    const keys = await server.api.workspace("catalog");
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.admin);
    await page.getByRole("link", { name: "Event types" }).click();
    await page.getByRole("heading", { name: "Event types" }).waitFor();

    // A new workspace starts with the two verification events, their examples shown.
    await card(page, "verification").waitFor();
    await card(page, "manual_verification").waitFor();
    expect(await card(page, "manual_verification").textContent()).toContain("agent@example.com");

    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/event-types")) posts.push(r.url());
    });

    await page.getByRole("button", { name: "New event type" }).click();
    const form = page.getByRole("form", { name: "New event type" });
    await form.getByLabel("Name", { exact: true }).fill("order.paid");
    await form.getByLabel("Description", { exact: true }).fill("An order was paid.");
    const schema = form.getByLabel("JSON Schema", { exact: true });
    const example = form.getByLabel("Example payload", { exact: true });

    // Text that is not JSON is refused in the form, under the field, and nothing is sent.
    await schema.fill('{\n  "type": "object"\n  "required": ["orderId"]\n}');
    await form.getByRole("button", { name: "Create event type" }).click();
    await expect
      .poll(() => form.getByRole("alert").textContent())
      .toMatch(/not valid JSON: line 3, column 3/);
    expect(await schema.getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate("document.activeElement?.dataset.field")).toBe("schema");
    expect(posts).toEqual([]);

    // Valid JSON but not a JSON Schema: the server's 422 is shown under the schema.
    await schema.fill('{"type": "nonsense"}');
    await form.getByRole("button", { name: "Create event type" }).click();
    await expect
      .poll(() => form.getByRole("alert").textContent())
      .toContain("the schema is not a valid JSON Schema");
    expect(posts).toHaveLength(1);

    // An example that does not match the schema: the server's details are shown under the example.
    await schema.fill(
      JSON.stringify({
        type: "object",
        required: ["orderId"],
        properties: { orderId: { type: "string" }, amount: { type: "number" } },
      }),
    );
    await example.fill('{"amount": "ten"}');
    await form.getByRole("button", { name: "Create event type" }).click();
    const mismatch = form.getByRole("alert");
    await expect.poll(() => mismatch.textContent()).toContain("the example does not match the schema");
    const text = await mismatch.textContent();
    expect(text).toContain("orderId");
    expect(text).toContain("must be number");
    expect(await example.getAttribute("aria-invalid")).toBe("true");

    await example.fill('{"orderId": "o_1", "amount": 10}');
    await form.getByRole("button", { name: "Create event type" }).click();
    await page.getByRole("status").filter({ hasText: "Event type order.paid created." }).waitFor();
    const paid = card(page, "order.paid");
    expect(await paid.getByText("JSON Schema", { exact: true }).count()).toBe(1);
    expect(await paid.getByRole("region", { name: "Example payload of order.paid" }).textContent()).toContain(
      '"orderId": "o_1"',
    );
    const stored = await server.api.request("GET", `/v1/workspaces/${keys.ws}/event-types/order.paid`, {
      key: keys.admin,
    });
    expect(stored.body).toMatchObject({
      description: "An order was paid.",
      example: { orderId: "o_1", amount: 10 },
    });

    // Edit the description (PATCH); the schema and example are kept.
    await page.getByRole("button", { name: "Edit order.paid" }).click();
    const edit = page.getByRole("form", { name: "Edit order.paid" });
    expect(await edit.getByLabel("JSON Schema", { exact: true }).inputValue()).toContain('"required"');
    await edit.getByLabel("Description", { exact: true }).fill("An order was paid in full.");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").filter({ hasText: "Event type order.paid saved." }).waitFor();
    expect(await card(page, "order.paid").textContent()).toContain("An order was paid in full.");
    const edited = await server.api.request("GET", `/v1/workspaces/${keys.ws}/event-types/order.paid`, {
      key: keys.admin,
    });
    expect(edited.body).toMatchObject({
      description: "An order was paid in full.",
      schema: { required: ["orderId"] },
      example: { orderId: "o_1", amount: 10 },
    });

    // A type a hook subscribes to by name cannot be deleted: the 409 is shown in the dialog.
    const hook = await server.api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, {
      key: keys.admin,
      body: {
        kind: "callback",
        name: "crm reviews",
        events: ["manual_verification"],
        urls: ["https://crm.example.com/hooks"],
      },
    });
    expect(hook.status).toBe(201);
    await page.getByRole("button", { name: "Delete manual_verification" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete event type manual_verification?" });
    await dialog.getByRole("button", { name: "Delete event type" }).click();
    await expect
      .poll(() => dialog.getByRole("alert").textContent())
      .toContain("still subscribed to by 1 hook(s)");
    expect(await dialog.getByRole("alert").textContent()).toContain("crm reviews");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await card(page, "manual_verification").waitFor();

    // One nobody subscribes to goes, after the confirmation.
    await page.getByRole("button", { name: "Delete verification" }).click();
    await page
      .getByRole("dialog", { name: "Delete event type verification?" })
      .getByRole("button", { name: "Delete event type" })
      .click();
    await page.getByRole("status").filter({ hasText: "Event type verification deleted." }).waitFor();
    expect(await card(page, "verification").count()).toBe(0);
    const gone = await server.api.request("GET", `/v1/workspaces/${keys.ws}/event-types/verification`, {
      key: keys.admin,
    });
    expect(gone.status).toBe(404);
    expect(errors).toEqual([]);
  });

  it("shows a new ingest key once, which posts events until it is revoked", async () => {
    const keys = await server.api.workspace("keys");
    const { page, errors } = await openPage(browser, server.url);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await signIn(page, keys.admin);
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByRole("table", { name: "Active API keys" }).waitFor();
    expect(await page.getByText("signed in with this key").count()).toBe(1);

    await page.getByLabel("Key name").fill("checkout backend");
    await page.getByRole("radio", { name: /^Ingest/ }).check();
    expect(await page.getByText("Posts events (and may invoke a function)").count()).toBe(1);
    await page.getByRole("button", { name: "Create key" }).click();

    const shown = page.getByLabel("Your new API key");
    await shown.waitFor();
    expect(await page.getByText("you will not see it again", { exact: false }).count()).toBe(1);
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^hr_/);
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    await page.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);

    const accepted = await postEvent(keys.ws, secret, {
      type: "verification",
      data: { sessionId: "ses_1", status: "approved" },
    });
    expect(accepted.status).toBe(202);

    // Once dismissed, the key is nowhere on the page; the listing shows only its first characters.
    await page.getByRole("button", { name: "I have saved it, hide the key" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    const row = page.getByRole("row").filter({ hasText: "checkout backend" });
    await row.waitFor();
    const rowText = await row.textContent();
    expect(rowText).toContain("ingest");
    expect(rowText).toContain(`${secret.slice(0, 9)}…`);
    expect(rowText).not.toContain("never"); // it was used for the event above

    await row.getByRole("button", { name: /^Revoke checkout backend/ }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke key “checkout backend”?" });
    expect(await dialog.textContent()).not.toContain("signed in with");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("status").filter({ hasText: "Key “checkout backend” revoked" }).waitFor();
    expect(await page.getByRole("table", { name: "Active API keys" }).textContent()).not.toContain(
      "checkout backend",
    );

    const refused = await postEvent(keys.ws, secret, { type: "verification", data: { sessionId: "ses_2" } });
    expect(refused.status).toBe(401);
    expect(errors).toEqual([]);
  });

  it("warns before revoking the key you are signed in with, then signs out", async () => {
    const keys = await server.api.workspace("self-revoke");
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.admin);
    await page.getByRole("link", { name: "API keys" }).click();
    const mine = page.getByRole("row").filter({ hasText: "signed in with this key" });
    await mine.getByRole("button", { name: /^Revoke admin/ }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke key “admin”?" });
    expect(await dialog.textContent()).toContain("This is the key you are signed in with.");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    const me = await server.api.request("GET", "/v1/me", { key: keys.admin });
    expect(me.status).toBe(401);
    expect(errors).toEqual([]);
  });

  it("gives an operator a read-only catalog and no API keys page", async () => {
    const keys = await server.api.workspace("operators");
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.operator);
    await page.getByRole("link", { name: "Event types" }).click();
    await card(page, "verification").waitFor();
    await card(page, "manual_verification").waitFor();
    await page.getByText("You can read the catalog; changing it needs an admin key.").waitFor();
    expect(await page.getByRole("link", { name: "API keys" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "New event type" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^(Edit|Delete) / }).count()).toBe(0);

    await page.goto(`${server.url}/#/w/${keys.ws}/keys`);
    await page.getByText("API keys are managed by admins").waitFor();
    expect(await page.getByRole("table").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
