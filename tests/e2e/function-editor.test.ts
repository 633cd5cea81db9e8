// Protects the function hook's code workbench in a real browser: Monaco loads (lazily, under the
// page's CSP, workers from /assets), IntelliSense knows `ctx` and the hook's secret names, a save
// that does not compile shows the compiler's line as a marker in the editor and in the notice, a
// fixed save clears it, a test refused for another reason (a 422 without a line) leaves the compile
// markers alone, Ctrl+S with nothing changed sends no request, a test run shows outcome, result and
// console lines (and a thrown error's line highlighted in the editor, its message shown as plain
// text: a link in it is not a link), invalid sample JSON is refused where it was typed, deploy makes
// a new live version, a version's source can be viewed and rolled back to; and operators get the
// code and versions read-only, without save, test or deploy. Also: a failed test run (sample not
// JSON, code that does not compile) replaces the last result; a run stopped at the CPU limit shows
// no "Heap 0 B"; Deploy is off while the saved draft is the live version; rollback asks first.
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

const V1_SOURCE = `// version one
export default async function (event: HookEvent, ctx: HookContext) {
  console.log("v1", event.type);
  return { version: 1 };
}
`;

// Typed into Monaco, which closes brackets and indents as a person types: every bracket these
// sources open is closed on the same line, so what arrives is exactly this text.
const BROKEN_SOURCE = `// broken on purpose
export default async function (event: HookEvent, ctx: HookContext) { return event.; }
`;

const GOOD_SOURCE = `// forwards order totals
export default async function (event: HookEvent, ctx: HookContext) { console.log("total", event.type); if (event.type === "order.created") return { total: event.data.total, token: ctx.secrets.API_TOKEN?.length }; return null; }
`;

const SPINNING_SOURCE = `export default async () => { while (true) {} };
`;

const THROWING_SOURCE = `// fails on purpose,
// on line 3
const boom = (n: number): never => { throw new Error("boom " + n + " [docs](https://evil.example/) **now**"); };
export default async (event: HookEvent) => boom(event.id.length);
`;

describeBrowser("function code workbench", () => {
  let server: EditorServer;
  let browser: Browser;
  let keys: WorkspaceKeys;
  let hookId: string;

  const api = (method: string, path: string, body?: unknown, key = keys.admin) =>
    server.api.request(method, `/v1/workspaces/${keys.ws}${path}`, { key, body });

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    keys = await server.api.workspace("functions-ui");
    const eventType = await api("POST", "/event-types", {
      name: "order.created",
      description: "A customer placed an order",
      schema: {
        type: "object",
        required: ["orderId", "total"],
        properties: { orderId: { type: "string" }, total: { type: "number" } },
      },
      example: { orderId: "o_1", total: 42 },
    });
    expect(eventType.status).toBe(201);
    const hook = await api("POST", "/hooks", {
      kind: "function",
      name: "order-sync",
      events: ["order.*", "verification"],
      source: V1_SOURCE,
      secrets: { API_TOKEN: "t0ken" },
    });
    expect(hook.status).toBe(201);
    expect(hook.body.liveVersion).toBe(1);
    hookId = hook.body.id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openHook(key: string): Promise<{ page: Page; errors: string[] }> {
    const opened = await openPage(browser, server.url);
    await signIn(opened.page, key);
    await opened.page.getByRole("link", { name: "Hooks" }).waitFor();
    await opened.page.goto(`${server.url}/#/w/${keys.ws}/hooks/${hookId}`);
    await opened.page.getByRole("heading", { name: "order-sync" }).waitFor();
    return opened;
  }

  const mainEditor = (page: Page) => page.locator(".workbench-code .monaco-editor");
  /** The text an editor shows (Monaco renders spaces as no-break spaces). */
  const shownText = async (editor: ReturnType<Page["locator"]>) =>
    ((await editor.locator(".view-lines").textContent()) ?? "").replace(/\u00a0/g, " ");

  /** Replaces the editor's text the way a user does: select all, then type (as one input). */
  async function replaceCode(page: Page, code: string): Promise<void> {
    await mainEditor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(code);
  }

  /** Walks the editor's problems with F8 (Monaco's "next problem") until one says `text`. */
  async function findProblem(page: Page, text: string): Promise<string[]> {
    const seen: string[] = [];
    const widget = page.locator(".marker-widget .descriptioncontainer");
    // The TypeScript service reports the same spot too; its markers and ours share the list.
    for (let i = 0; i < 6 && !seen.some((m) => m.includes(text)); i++) {
      await page.keyboard.press("F8");
      await widget.waitFor();
      seen.push((await widget.textContent()) ?? "");
    }
    await page.keyboard.press("Escape");
    return seen;
  }

  it("edits with IntelliSense, shows compile errors in place, tests, deploys and rolls back", async () => {
    const { page, errors } = await openHook(keys.admin);
    const testRequests: string[] = [];
    const sourcePuts: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith(`/hooks/${hookId}/test`)) testRequests.push(r.url());
      if (r.method() === "PUT" && r.url().endsWith(`/hooks/${hookId}/source`)) sourcePuts.push(r.url());
    });

    // Monaco is loaded lazily, styled (its CSS and codicon font under the CSP), and shows the draft.
    await expect.poll(() => shownText(mainEditor(page))).toContain("// version one");
    expect(await page.getByRole("status").filter({ hasText: "Live: version 1" }).count()).toBe(1);
    type Styles = { getComputedStyle(e: unknown): { position: string } };
    const position = (el: unknown) => (globalThis as unknown as Styles).getComputedStyle(el).position;
    expect(await mainEditor(page).evaluate(position)).toBe("relative");

    // IntelliSense: ctx's members, then the hook's own secret names.
    await replaceCode(
      page,
      "export default async function (event: HookEvent, ctx: HookContext) {\n  return ctx",
    );
    await page.keyboard.type(".");
    const suggest = page.locator(".suggest-widget.visible");
    await expect.poll(() => suggest.textContent(), { timeout: 30_000 }).toContain("secrets");
    expect(await suggest.textContent()).toContain("deliveryId");
    // The suggest widget's icons come from Monaco's codicon font, loaded under the CSP.
    const codicon = "[...document.fonts].find((f) => f.family.replace(/\"/g, '') === 'codicon')?.status";
    await expect.poll(() => page.evaluate(codicon)).toBe("loaded");
    await page.keyboard.type("secrets.");
    await expect.poll(() => suggest.textContent()).toContain("API_TOKEN");
    await page.keyboard.press("Escape");

    // A save that does not compile: the compiler's line in the notice and as a marker in the editor.
    await replaceCode(page, BROKEN_SOURCE);
    await page.getByText("Unsaved changes").waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const notice = page.getByRole("alert").filter({ hasText: "does not compile" });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('line 2:83: Expected identifier but found ";"');
    await mainEditor(page).locator(".squiggly-error").first().waitFor();
    await mainEditor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+Home");
    const problems = await findProblem(page, 'Expected identifier but found ";"');
    expect(problems.join("\n")).toContain('Expected identifier but found ";"');
    expect((await api("GET", `/hooks/${hookId}`)).body.source).toBe(V1_SOURCE);

    // A test the service refuses for something other than the code (a 422 whose details have no
    // line, as for sample data an event type's schema refuses) shows its notice and leaves the
    // compiler's markers where they are.
    await page.route(
      `**/hooks/${hookId}/test`,
      (route) =>
        route.fulfill({
          status: 422,
          contentType: "application/json",
          body: JSON.stringify({
            error: {
              code: "invalid",
              message: "the sample event is refused",
              details: [{ path: "data.total", message: "must be a number" }],
              requestId: "req_fake",
            },
          }),
        }),
      { times: 1 },
    );
    await page.getByRole("button", { name: "Run test" }).click();
    await page.getByRole("alert").filter({ hasText: "the sample event is refused" }).waitFor();
    await mainEditor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+Home");
    const stillThere = await findProblem(page, 'Expected identifier but found ";"');
    expect(stillThere.join("\n")).toContain('Expected identifier but found ";"');
    expect(testRequests).toHaveLength(1);
    testRequests.length = 0;

    // Fixed and saved with Ctrl+S: the notice and every error marker go away.
    await replaceCode(page, GOOD_SOURCE);
    await page.keyboard.press("Control+s");
    await page.getByText("Draft saved").waitFor();
    expect(await notice.count()).toBe(0);
    await expect.poll(() => mainEditor(page).locator(".squiggly-error").count(), { timeout: 30_000 }).toBe(0);
    expect((await api("GET", `/hooks/${hookId}`)).body.source).toBe(GOOD_SOURCE);
    expect(sourcePuts).toHaveLength(2);

    // Ctrl+S with nothing changed, in the editor or elsewhere on the page, sends nothing (the PUT
    // would leave before the test run's request below).
    await page.keyboard.press("Control+s");
    await page.getByRole("heading", { name: "order-sync" }).click();
    await page.keyboard.press("Control+s");
    await page.getByLabel("Event type").selectOption("order.created");
    expect(JSON.parse(await page.getByLabel("Sample data (JSON)").inputValue())).toEqual({
      orderId: "o_1",
      total: 42,
    });
    await page.getByRole("button", { name: "Run test" }).click();
    const result = page.getByRole("region", { name: "Test result" });
    await result.waitFor();
    expect(await result.locator(".badge").first().textContent()).toContain("success");
    expect(
      JSON.parse((await result.getByRole("region", { name: "Returned" }).locator("pre").textContent()) ?? ""),
    ).toEqual({
      total: 42,
      token: 5,
    });
    expect(await result.getByRole("list", { name: "Console output" }).textContent()).toContain(
      "total order.created",
    );
    expect(await result.textContent()).toMatch(/Duration\d+ ms/);
    expect(testRequests).toHaveLength(1);
    expect(sourcePuts).toHaveLength(2);

    // Invalid sample JSON is refused where it was typed, without a request.
    await page.getByLabel("Sample data (JSON)").fill("{ oops");
    await page.getByRole("button", { name: "Run test" }).click();
    await page.getByRole("alert").filter({ hasText: "Not valid JSON" }).waitFor();
    expect(await page.getByLabel("Sample data (JSON)").getAttribute("aria-invalid")).toBe("true");
    expect(testRequests).toHaveLength(1);
    // The refusal replaces the last run's result rather than standing above it.
    expect(await result.count()).toBe(0);
    await page.getByRole("button", { name: "Reset to the example" }).click();

    // A throwing function (unsaved: tests run the editor's text): its line is highlighted.
    await replaceCode(page, THROWING_SOURCE);
    await mainEditor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+Enter");
    await result.locator(".run-error").filter({ hasText: "Error: boom" }).waitFor();
    expect(await result.locator(".badge").first().textContent()).toContain("error");
    await expect
      .poll(() => mainEditor(page).locator(".code-editor-error-line-number").textContent())
      .toBe("3");
    await result.getByRole("button", { name: "Go to line 3" }).waitFor();
    expect(testRequests).toHaveLength(2);

    // The message on the failing line's hover is plain text: the Markdown link in it stays text.
    await mainEditor(page).locator(".code-editor-error-glyph").hover();
    const hover = page.locator(".monaco-hover").filter({ hasText: "Error: boom" });
    await hover.waitFor();
    expect(await hover.textContent()).toContain("[docs](https://evil.example/) **now**");
    expect(await hover.locator("a").count()).toBe(0);
    await page.keyboard.press("Escape");

    // Code that does not compile: the compile error replaces the last run's result.
    await replaceCode(page, BROKEN_SOURCE);
    await page.keyboard.press("Control+Enter");
    await page.getByRole("alert").filter({ hasText: "does not compile" }).waitFor();
    expect(await result.count()).toBe(0);

    // A run stopped at the CPU limit: its heap was never measured, so it reads "—", not "0 B".
    await replaceCode(page, SPINNING_SOURCE);
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain("cpu_limit");
    const heap = result.locator(".run-metrics div").filter({ hasText: "Heap" }).locator("dd");
    expect(await heap.textContent()).toBe("—");
    await replaceCode(page, THROWING_SOURCE);

    // Unsaved text survives a visit to the hook's other tabs.
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("tab", { name: "Code" }).click();
    await expect.poll(() => shownText(mainEditor(page))).toContain("// on line 3");
    await page.getByText("Unsaved changes").waitFor();

    // Deploy with unsaved changes saves first; the live version moves to 2.
    await replaceCode(page, GOOD_SOURCE.replace("null", '"other"'));
    await page.getByRole("button", { name: "Save and deploy" }).click();
    await page.getByRole("status").filter({ hasText: "Version 2 is live." }).waitFor();
    await page.getByText("Live: version 2").waitFor();
    const afterDeploy = (await api("GET", `/hooks/${hookId}`)).body;
    expect(afterDeploy).toMatchObject({ liveVersion: 2, source: GOOD_SOURCE.replace("null", '"other"') });

    // The saved draft is live now: Deploy is off until the code changes, and on again after an edit.
    const deployButton = page.getByRole("button", { name: "Deploy", exact: true });
    await expect.poll(() => deployButton.isDisabled()).toBe(true);
    await mainEditor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("// edited");
    expect(await page.getByRole("button", { name: "Save and deploy" }).isEnabled()).toBe(true);
    await replaceCode(page, GOOD_SOURCE.replace("null", '"other"'));
    await expect.poll(() => deployButton.isDisabled()).toBe(true);

    // History: v2 live, v1 viewable read-only, and a rollback to it.
    await page.getByRole("tab", { name: /Versions/ }).click();
    const rows = page.locator(".versions-panel tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain("v2");
    expect(await rows.first().textContent()).toContain("live");
    await page.getByRole("button", { name: "View version 1" }).click();
    const viewer = page.getByRole("region", { name: "Source of version 1" });
    await expect.poll(() => shownText(viewer)).toContain("// version one");
    // Rollback asks first: cancelling changes nothing, confirming makes version 1 live.
    await page.getByRole("button", { name: "Roll back to version 1" }).click();
    const confirm = page.getByRole("dialog", { name: "Roll back to version 1?" });
    await confirm.waitFor();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    expect((await api("GET", `/hooks/${hookId}`)).body.liveVersion).toBe(2);
    await page.getByRole("button", { name: "Roll back to version 1" }).click();
    await confirm.getByRole("button", { name: "Roll back to version 1" }).click();
    await page.getByRole("status").filter({ hasText: "version 1 is live again" }).waitFor();
    await page.getByText("Live: version 1").waitFor();
    expect((await api("GET", `/hooks/${hookId}`)).body.liveVersion).toBe(1);
    await expect.poll(() => rows.first().textContent()).not.toContain("live");
    // The draft differs from the live version again: Deploy is on.
    expect(await deployButton.isEnabled()).toBe(true);

    expect(errors).toEqual([]);
  }, 180_000);

  it("shows operators the code and versions read-only, with no save, test or deploy", async () => {
    const { page, errors } = await openHook(keys.operator);
    await expect.poll(() => shownText(mainEditor(page))).toContain("export default");
    await page.getByRole("note").filter({ hasText: "Read-only" }).waitFor();
    for (const name of ["Save", "Deploy", "Run test"]) {
      expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
    }
    expect(await page.getByRole("tab", { name: "Test" }).count()).toBe(0);

    const before = await shownText(mainEditor(page));
    await mainEditor(page).locator(".view-lines").click();
    await page.keyboard.type("typed by an operator");
    expect(await shownText(mainEditor(page))).toBe(before);

    await page.getByRole("button", { name: "View version 1" }).waitFor();
    expect(await page.getByRole("button", { name: /Roll back/ }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
