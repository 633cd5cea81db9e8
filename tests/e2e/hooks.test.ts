// Protects the hooks pages in a real browser against a real receiver: the kind-first "New hook" flow
// for both kinds (events from the catalog and patterns, headers, secrets, limits), landing on the new
// hook's page; "Send test" showing the receiver's answer (and the receiver getting the header and a
// valid Standard Webhooks signature); revealing and rotating the signing secret; real deliveries; the
// list's enabled switch; a duplicate name's 409 shown in the form; editing write-only headers and
// deleting behind a confirmation; the egress guard's warning about a refused URL; and operators
// seeing everything read-only. Also what a newcomer tripped over: the empty list has one call to
// create; an empty name gets the form's own message (not the browser's bubble); a new hook's page
// confirms it was made, with a callback's signing secret in view; a send test refused before sending
// (data not JSON) replaces the last answer; the limits' labels sit on one line; and the template's
// first line fits the code editor.
import { createHmac } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";
import {
  describeBrowser,
  type EditorServer,
  launchBrowser,
  openPage,
  signIn,
  startEditorServer,
} from "./support/browser";

describeBrowser("hooks pages", () => {
  let server: EditorServer;
  let browser: Browser;
  let receiver: Receiver;
  let keys: WorkspaceKeys;

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    receiver = await startReceiver();
    keys = await server.api.workspace("hooks-ui");
  });
  afterAll(async () => {
    await receiver?.close();
    await browser?.close();
    await server?.close();
  });

  const api = (method: string, path: string, body?: unknown, key = keys.admin) =>
    server.api.request(method, `/v1/workspaces/${keys.ws}${path}`, { key, body });

  async function signedIn(key: string): Promise<{ page: Page; errors: string[] }> {
    const opened = await openPage(browser, server.url);
    // Fail at the step that did not happen, well inside the test's own time.
    try {
      await signIn(opened.page, key);
      await opened.page.getByRole("heading", { name: "Hooks", exact: true }).waitFor();
    } catch (error) {
      throw new Error(
        `${String(error)}\npage errors: ${opened.errors.join("\n")}\n${await opened.page.content()}`,
      );
    }
    return opened;
  }

  /**
   * Is the element on screen and on top: wholly inside the viewport, and what the page shows at its
   * top and bottom edges is the element itself (not a sticky bar over it).
   */
  async function inView(locator: ReturnType<Page["locator"]>): Promise<boolean> {
    // Typed by hand: the tests are compiled without the DOM's types.
    type Box = { top: number; bottom: number; left: number; width: number; height: number };
    type Dom = { innerHeight: number; document: { elementFromPoint(x: number, y: number): unknown } };
    return locator.evaluate((el: unknown) => {
      const node = el as { getBoundingClientRect(): Box; contains(other: unknown): boolean };
      const { innerHeight, document } = globalThis as unknown as Dom;
      const r = node.getBoundingClientRect();
      if (r.top < 0 || r.bottom > innerHeight || r.height === 0) return false;
      const x = r.left + r.width / 2;
      return [r.top + 1, r.bottom - 1].every((y) => node.contains(document.elementFromPoint(x, y)));
    });
  }

  /** The id in the address of a hook's page, once the browser is there. */
  async function landedOnHook(page: Page): Promise<string> {
    await page.waitForURL(/#\/w\/[^/]+\/hooks\/hk_[^/]+$/);
    return page.url().split("/").pop()!;
  }

  it("creates a callback hook, tests it, reveals and rotates its secret, delivers, and is switched off in the list", async () => {
    const { page, errors } = await signedIn(keys.admin);
    await page.getByText("No hooks yet").waitFor();
    // One call to create, not one per kind and another in the header.
    expect(await page.getByRole("link", { name: /new|create/i }).count()).toBe(1);
    await page.getByRole("link", { name: "New hook" }).first().click();

    // The kind first, then the callback form.
    await page.getByRole("link", { name: /^Callback/ }).click();
    await page.getByRole("heading", { name: "New callback hook" }).waitFor();

    // No name: the form says so under the field and sends nothing (no native bubble blocks it).
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith(`/workspaces/${keys.ws}/hooks`)) posts.push(r.url());
    });
    await page.getByRole("button", { name: "Create hook" }).click();
    const nameInput = page.getByLabel("Name", { exact: true });
    const nameErrors = page.locator(".form-field").filter({ has: nameInput }).locator(".field-error");
    await expect.poll(() => nameErrors.textContent()).toContain("Give the hook a name");
    expect(await nameInput.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("alert").textContent()).toContain("The hook needs a name.");
    expect(posts).toEqual([]);
    await nameInput.fill("crm-sync");
    await page.getByRole("checkbox", { name: "verification", exact: true }).check();
    await page.getByRole("checkbox", { name: "manual_verification", exact: true }).check();
    await page.getByLabel("URLs").fill(`${receiver.url}/hooks`);
    await page.getByLabel("Header 1 name").fill("X-Api-Key");
    await page.getByLabel("Header 1 value").fill("api-key-0123456789");
    await page.getByRole("button", { name: "Create hook" }).click();

    const id = await landedOnHook(page);
    await page.getByRole("heading", { name: "crm-sync" }).waitFor();
    expect(posts).toHaveLength(1);
    // Confirmed, with the signing secret brought into view (not under the fold or the save bar).
    const confirmation = page.getByRole("status").filter({ hasText: "Created “crm-sync”." });
    await confirmation.waitFor();
    await page.getByRole("checkbox", { name: "verification", exact: true }).waitFor();
    await expect.poll(() => inView(page.getByRole("region", { name: "Current signing secret" }))).toBe(true);
    expect(await inView(confirmation)).toBe(true);
    const created = await api("GET", `/hooks/${id}`);
    expect(created.body).toMatchObject({
      kind: "callback",
      events: ["verification", "manual_verification"],
      method: "POST",
      urls: [`${receiver.url}/hooks`],
      headers: { "x-api-key": "••••6789" },
      signing: { scheme: "standard-webhooks" },
    });
    // The stored header shows by name with its masked value.
    await page.getByText("••••6789").waitFor();

    // Send test: the receiver's answer in the UI, the request as the receiver got it.
    receiver.reply(() => ({ status: 201, headers: { "x-receiver": "yes" }, body: '{"received":true}' }));
    await page.getByRole("button", { name: "Send test" }).click();
    const result = page.getByRole("region", { name: "Test result" });
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain("HTTP 201");
    expect(await result.textContent()).toContain('{"received":true}');
    expect(await result.textContent()).toContain("success");
    expect(await result.getByRole("region", { name: "Response headers" }).textContent()).toContain(
      "x-receiver: yes",
    );
    expect(await result.getByRole("region", { name: "Request sent" }).textContent()).toContain(
      `POST ${receiver.url}/hooks`,
    );
    const [tested] = await receiver.waitFor(1);
    expect(tested!.headers["x-api-key"]).toBe("api-key-0123456789");
    expect(tested!.headers["webhook-signature"]).toMatch(/^v1,/);

    // Data that is not JSON: the refusal replaces the last answer instead of standing above it.
    await page.getByLabel("Data (JSON, optional)").fill("{ oops");
    await page.getByRole("button", { name: "Send test" }).click();
    await page.getByRole("alert").filter({ hasText: "the data is not JSON" }).waitFor();
    expect(await result.count()).toBe(0);
    await page.getByLabel("Data (JSON, optional)").fill("");

    // Reveal: the whole secret, and it is the one the test request was signed with.
    await page.getByRole("button", { name: "Reveal" }).click();
    const current = page.getByRole("region", { name: "Current signing secret" }).locator("code");
    await expect.poll(() => current.textContent()).toMatch(/^whsec_/);
    const firstSecret = (await current.textContent())!;
    expect(tested!.headers["webhook-signature"]).toBe(standardSignature(firstSecret, tested!));

    // Rotate with the default 24 h grace: a new secret, the old one shown as previous.
    await page.getByRole("button", { name: "Rotate secret…" }).click();
    expect(await page.getByLabel("Grace period").inputValue()).toBe("86400");
    await page.getByRole("button", { name: "Rotate now" }).click();
    const previous = page.getByRole("region", { name: "Previous signing secret" }).locator("code");
    await expect.poll(() => previous.textContent()).toBe(firstSecret);
    const secondSecret = (await current.textContent())!;
    expect(secondSecret).toMatch(/^whsec_/);
    expect(secondSecret).not.toBe(firstSecret);
    const revealed = await api("GET", `/hooks/${id}/signing-secret`);
    expect(revealed.body).toMatchObject({ secret: secondSecret, previousSecret: firstSecret });

    // A real event: delivered by the worker, signed with both secrets during the grace period.
    receiver.reply(() => ({ status: 200, body: "ok" }));
    const posted = await api("POST", "/events", { type: "verification", data: { sessionId: "ses_1" } });
    expect(posted.status).toBe(202);
    const delivered = (await receiver.waitFor(2))[1]!;
    expect(JSON.parse(delivered.body)).toMatchObject({ type: "verification", data: { sessionId: "ses_1" } });
    expect(delivered.headers["x-api-key"]).toBe("api-key-0123456789");
    expect(delivered.headers["webhook-signature"]).toBe(
      `${standardSignature(secondSecret, delivered)} ${standardSignature(firstSecret, delivered)}`,
    );

    // Back in the list: the row's switch turns the hook off, as the API confirms.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hooks" }).click();
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "crm-sync" }) });
    await expect.poll(() => row.textContent()).toContain("verification");
    const toggle = row.getByRole("switch", { name: "Enabled: crm-sync" });
    expect(await toggle.getAttribute("aria-checked")).toBe("true");
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
    const after = await api("GET", `/hooks/${id}`);
    expect(after.body.enabled).toBe(false);
    expect(errors).toEqual([]);
  });

  it("shows a duplicate name's 409 next to the form and under the name", async () => {
    const taken = await api("POST", "/hooks", {
      kind: "callback",
      name: "taken-name",
      events: ["verification"],
      urls: [`${receiver.url}/taken`],
    });
    expect(taken.status).toBe(201);
    const { page, errors } = await signedIn(keys.admin);
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/new/callback`);
    await page.getByLabel("Name", { exact: true }).fill("taken-name");
    await page.getByRole("checkbox", { name: "verification", exact: true }).check();
    await page.getByLabel("URLs").fill(`${receiver.url}/other`);
    await page.getByRole("button", { name: "Create hook" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain('a hook named "taken-name" already exists');
    const nameField = page.locator(".form-field").filter({ has: page.getByLabel("Name", { exact: true }) });
    expect(await nameField.locator(".field-error").textContent()).toContain("already exists");
    expect(page.url()).toContain("/hooks/new/callback");

    // A malformed URL is refused by the service and named under the URLs field.
    await page.getByLabel("Name", { exact: true }).fill("another-name");
    await page.getByLabel("URLs").fill("not a url");
    await page.getByRole("button", { name: "Create hook" }).click();
    const urlsField = page.locator(".form-field").filter({ has: page.getByLabel("URLs") });
    await expect
      .poll(() => urlsField.locator(".field-error").first().textContent())
      .toContain("absolute URL");
    expect(errors).toEqual([]);
  });

  it("creates a function hook with a pattern, a secret and limits, and lands on its page", async () => {
    const { page, errors } = await signedIn(keys.admin);
    await page.getByRole("link", { name: "New hook" }).first().click();
    await page.getByRole("link", { name: /^Serverless function/ }).click();
    await page.getByRole("heading", { name: "New serverless function hook" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("enrich");
    await page.getByRole("checkbox", { name: "verification", exact: true }).check();
    await page.getByLabel("Add a pattern").fill("order.*");
    await page.getByRole("button", { name: "Add pattern" }).click();
    await page.getByRole("button", { name: "Remove order.*" }).waitFor();
    // The three limits' labels sit on one line, whatever their hints' lengths.
    const tops = [];
    for (const label of ["Memory (MB)", "Timeout (ms)", "CPU time (ms)"]) {
      tops.push((await page.getByText(label, { exact: true }).boundingBox())!.y);
    }
    expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(1);
    await page.getByLabel("Memory (MB)").fill("32");
    await page.getByRole("button", { name: "Add secret" }).click();
    await page.getByLabel("Secret 1 name").fill("CRM_TOKEN");
    await page.getByLabel("Secret 1 value").fill("crm-token-abcdefghijkl");
    await page.getByRole("button", { name: "Create hook" }).click();

    const id = await landedOnHook(page);
    await page.getByRole("heading", { name: "enrich" }).waitFor();
    const created = await api("GET", `/hooks/${id}`);
    expect(created.body).toMatchObject({
      kind: "function",
      events: ["verification", "order.*"],
      limits: { memoryMb: 32, timeoutMs: 10_000, cpuMs: 1_000 },
      secrets: { CRM_TOKEN: "••••ijkl" },
    });
    expect(created.body.source).toContain("export default");
    await page.getByRole("status").filter({ hasText: "Created “enrich”." }).waitFor();

    // The template's first line fits the code editor at 1280 px: nothing is cut off on the right.
    const firstLine = page.locator(".workbench-code .view-line").first();
    await expect.poll(() => firstLine.textContent()).toContain("HookContext");
    const fits = await page.evaluate(`(() => {
      const editor = document.querySelector(".workbench-code .editor-scrollable").getBoundingClientRect();
      const bar = document.querySelector(".workbench-code .scrollbar.vertical").getBoundingClientRect();
      const visibleRight = bar.width > 0 ? Math.min(editor.right, bar.left) : editor.right;
      const line = [...document.querySelectorAll(".workbench-code .view-line")].find((l) =>
        l.textContent.includes("HookContext"),
      );
      const text = line.firstElementChild.getBoundingClientRect();
      return { textRight: text.right, visibleRight };
    })()`);
    const { textRight, visibleRight } = fits as { textRight: number; visibleRight: number };
    expect(textRight).toBeLessThanOrEqual(visibleRight);

    // Its settings show the secret by name, masked, and save only what changed.
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByText("••••ijkl").waitFor();
    await page.getByLabel("CPU time (ms)").fill("20000");
    expect(await page.getByText("CPU time must not exceed the timeout.").count()).toBe(1);
    await page.getByLabel("CPU time (ms)").fill("2000");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    const saved = await api("GET", `/hooks/${id}`);
    expect(saved.body.limits).toEqual({ memoryMb: 32, timeoutMs: 10_000, cpuMs: 2_000 });
    expect(saved.body.secrets).toEqual({ CRM_TOKEN: "••••ijkl" });
    expect(errors).toEqual([]);
  });

  it("edits a callback's write-only headers and deletes it behind a dialog naming it", async () => {
    const made = await api("POST", "/hooks", {
      kind: "callback",
      name: "to-edit",
      events: ["verification"],
      urls: [`${receiver.url}/edit`],
      headers: { "X-Old": "old-value-0123456789", "X-Keep": "keep-value-0123456789" },
    });
    const id: string = made.body.id;
    const { page, errors } = await signedIn(keys.admin);
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/${id}`);
    await page.getByRole("heading", { name: "to-edit" }).waitFor();

    await page.getByRole("button", { name: "Remove header x-old" }).click();
    await page.getByLabel("New value for header x-keep").fill("keep-value-new-9999");
    await page.getByRole("button", { name: "Add header" }).click();
    await page.getByLabel("Header 1 name").fill("Authorization");
    await page.getByLabel("Header 1 value").fill("Bearer token-abcdefgh");
    await page.getByLabel("Method").selectOption("GET");
    await page.getByText("GET sends no body").waitFor();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    const saved = await api("GET", `/hooks/${id}`);
    expect(saved.body.method).toBe("GET");
    expect(saved.body.headers).toEqual({ "x-keep": "••••9999", authorization: "••••efgh" });

    await page.getByRole("button", { name: "Delete hook…" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete “to-edit”?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Delete to-edit" }).click();
    await page.waitForURL(/#\/w\/[^/]+\/hooks$/);
    expect((await api("GET", `/hooks/${id}`)).status).toBe(404);
    expect(await page.getByRole("link", { name: "to-edit" }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("shows the egress guard's warning about a URL it refuses on the hook's settings", async () => {
    // Nothing is sent: the hook is only saved and shown.
    const made = await api("POST", "/hooks", {
      kind: "callback",
      name: "private-receiver",
      events: ["verification"],
      urls: ["http://10.0.0.5/hook"],
    });
    const { page, errors } = await signedIn(keys.admin);
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/${made.body.id}`);
    await page.getByRole("heading", { name: "private-receiver" }).waitFor();
    const notice = page.locator(".egress-warnings");
    await notice.getByText("Refused by the egress guard").waitFor();
    expect(await notice.textContent()).toContain("HOOKRUN_EGRESS_ALLOW");
    await api("DELETE", `/hooks/${made.body.id}`);
    expect(errors).toEqual([]);
  });

  it("shows operators the list and settings read-only", async () => {
    const made = await api("POST", "/hooks", {
      kind: "callback",
      name: "watched",
      events: ["verification"],
      urls: [`${receiver.url}/watched`],
    });
    const { page, errors } = await signedIn(keys.operator);
    const toggle = page.getByRole("switch", { name: "Enabled: watched" });
    await toggle.waitFor();
    expect(await toggle.isDisabled()).toBe(true);
    expect(await page.getByRole("link", { name: "New hook" }).count()).toBe(0);

    await page.getByRole("link", { name: "watched" }).click();
    await landedOnHook(page);
    await page.getByText("only an admin can change them").waitFor();
    expect(await page.getByLabel("Name", { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByLabel("URLs").isDisabled()).toBe(true);
    for (const name of ["Save changes", "Reveal", "Rotate secret…", "Send test", "Delete hook…"]) {
      expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    }
    expect((await api("GET", `/hooks/${made.body.id}`, undefined, keys.operator)).status).toBe(200);
    expect(errors).toEqual([]);
  });
});

/** The Standard Webhooks `v1,` signature of a received request with one secret. */
function standardSignature(secret: string, req: { headers: Record<string, unknown>; body: string }): string {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const message = `${req.headers["webhook-id"]}.${req.headers["webhook-timestamp"]}.${req.body}`;
  return `v1,${createHmac("sha256", key).update(message).digest("base64")}`;
}
