// Protects the end-to-end promise, once per database (PGlite, and PostgreSQL where the live
// tail rides LISTEN/NOTIFY): a newcomer with only the root key signs in, creates a workspace, creates
// a function hook through the UI, types code into Monaco, saves it broken and sees the marker, fixes
// it, tests it, deploys it, and watches an event posted through the API arrive in the live tail;
// then creates a callback hook to a loopback receiver and sees its delivered attempt there too.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
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

// Monaco closes brackets and indents as a person types, so every bracket here closes on its line.
const BROKEN = `export default async function (event: HookEvent, ctx: HookContext) { return { greeting: "hello" ; }`;
const FIXED = `export default async function (event: HookEvent, ctx: HookContext) { console.log("greeting", event.type); return { greeted: event.id }; }`;

for (const target of testDatabases) {
  describeBrowser(`a newcomer's journey on ${target.name}`, () => {
    let server: EditorServer;
    let browser: Browser;
    let receiver: Receiver;

    beforeAll(async () => {
      server = await startEditorServer(target);
      browser = await launchBrowser();
      receiver = await startReceiver();
    });
    afterAll(async () => {
      await browser?.close();
      await receiver?.close();
      await server?.close();
    });

    const editor = (page: Page) => page.locator(".workbench-code .monaco-editor");
    const nav = (page: Page, name: string) =>
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
    const postEvent = (ws: string, data: unknown) =>
      server.api.request("POST", `/v1/workspaces/${ws}/events`, {
        key: server.api.rootKey,
        body: { type: "verification", data },
      });

    it("writes, tests and deploys a function, then sees deliveries of both kinds in the live tail", async () => {
      const { page, errors } = await openPage(browser, server.url);

      // Sign in with the root key and make a workspace.
      await signIn(page, server.api.rootKey);
      await page.getByRole("heading", { name: "Workspaces" }).waitFor();
      await page.getByLabel("Name").fill("acme");
      await page.getByRole("button", { name: "Create workspace" }).click();
      await page.waitForURL(/#\/w\/ws_[^/]+\/hooks$/);
      const ws = /#\/w\/([^/]+)\//.exec(page.url())?.[1] ?? "";

      // A function hook: the kind first, then its form.
      await page.getByRole("link", { name: "New hook" }).first().click();
      await page.getByRole("link", { name: /^Serverless function/ }).click();
      await page.getByLabel("Name", { exact: true }).fill("greeter");
      await page.getByRole("checkbox", { name: "verification", exact: true }).check();
      await page.getByRole("button", { name: "Create hook" }).click();
      await page.getByRole("heading", { name: "greeter" }).waitFor();

      // Type broken code, save: the compiler's complaint is a marker in the editor and a notice.
      await editor(page).locator(".view-lines").click();
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(BROKEN);
      await page.getByRole("button", { name: "Save", exact: true }).click();
      const notice = page.getByRole("alert").filter({ hasText: "does not compile" });
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(/line 1:\d+/);
      await editor(page).locator(".squiggly-error").first().waitFor();

      // Fix it, save: the markers go.
      await editor(page).locator(".view-lines").click();
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(FIXED);
      await page.keyboard.press("Control+s");
      await page.getByText("Draft saved").waitFor();
      await expect.poll(() => editor(page).locator(".squiggly-error").count(), { timeout: 30_000 }).toBe(0);

      // Test it on the sample event.
      await page.getByRole("button", { name: "Run test" }).click();
      const result = page.getByRole("region", { name: "Test result" });
      await result.waitFor();
      expect(await result.locator(".badge").first().textContent()).toContain("success");
      expect(await result.getByRole("list", { name: "Console output" }).textContent()).toContain(
        "greeting verification",
      );

      // Deploy it.
      await page.getByRole("button", { name: "Deploy", exact: true }).click();
      await page.getByText("Live: version 1").waitFor();

      // Logs with the live tail on; an event posted through the API shows up without a reload.
      await nav(page, "Logs");
      await page.getByRole("switch", { name: "Live tail" }).click();
      await page.getByRole("status").getByText("Live", { exact: true }).waitFor();
      expect((await postEvent(ws, { sessionId: "s-1" })).status).toBe(202);
      const functionRow = page.getByRole("row").filter({ hasText: "greeter" }).filter({ hasText: "success" });
      await functionRow.waitFor();

      // A callback hook to the loopback receiver; its delivered attempt arrives in the tail too.
      await nav(page, "Hooks");
      await page.getByRole("link", { name: "New hook" }).first().click();
      await page.getByRole("link", { name: /^Callback/ }).click();
      await page.getByLabel("Name", { exact: true }).fill("crm");
      await page.getByRole("checkbox", { name: "verification", exact: true }).check();
      await page.getByLabel("URLs").fill(`${receiver.url}/hooks`);
      await page.getByRole("button", { name: "Create hook" }).click();
      await page.getByRole("heading", { name: "crm" }).waitFor();

      await nav(page, "Logs");
      await page.getByRole("switch", { name: "Live tail" }).click();
      await page.getByRole("status").getByText("Live", { exact: true }).waitFor();
      expect((await postEvent(ws, { sessionId: "s-2" })).status).toBe(202);
      const callbackRow = page.getByRole("row").filter({ hasText: "crm" }).filter({ hasText: "success" });
      await callbackRow.waitFor();
      expect(await callbackRow.textContent()).toContain("200");
      const [delivered] = await receiver.waitFor(1);
      expect(JSON.parse(delivered?.body ?? "{}").data).toEqual({ sessionId: "s-2" });
      expect(delivered?.headers["webhook-signature"]).toMatch(/^v1,/);

      // The attempt's detail shows what the receiver answered.
      await callbackRow.getByRole("link").first().click();
      await page.getByRole("heading", { name: "Response", exact: true }).waitFor();
      expect(await page.getByTestId("response-status").textContent()).toBe("200");
      expect(errors).toEqual([]);
    });
  });
}
