// Protects what changes on screen by itself, in a real browser: the logs' live tail keeps its rows
// still while the pointer is over the list (new attempts are counted in an "N new" control instead;
// clicking it or leaving the list shows them), so a click never lands on another attempt than the
// one under the pointer; and a hook's header keeps its last-24-hours line current as attempts
// arrive, saying plainly when there are none.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callbackHook, type WorkspaceKeys } from "../support/app";
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

/** The attempt link of the row at a point of the page, and that row's box. */
async function rowAt(page: Page, x: number, y: number) {
  return page.evaluate(
    ([px, py]) => {
      const row = document.elementFromPoint(px as number, py as number)?.closest("tr");
      const box = row?.getBoundingClientRect();
      return {
        href: row?.querySelector("a")?.getAttribute("href") ?? null,
        box: box ? [box.x, box.y, box.width, box.height] : null,
      };
    },
    [x, y],
  );
}

describeBrowser("live updates: a held log list, a hook's current health", () => {
  let server: EditorServer;
  let browser: Browser;
  let receiver: Receiver;
  let keys: WorkspaceKeys;

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    receiver = await startReceiver();
    keys = await server.api.workspace("live");
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  const post = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const posted = await server.api.request("POST", `/v1/workspaces/${keys.ws}/events`, {
        key: keys.ingest,
        body: { type: "verification", data: { sessionId: `s-${Math.random()}` } },
      });
      expect(posted.status).toBe(202);
    }
  };

  it("keeps the row under the pointer still while new attempts arrive, and counts them", async () => {
    const hook = await server.api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, {
      key: keys.admin,
      body: callbackHook({ name: "held", urls: [`${receiver.url}/held`] }),
    });
    expect(hook.status).toBe(201);
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.operator);
    await expect.poll(() => page.url()).toContain(`#/w/${keys.ws}/hooks`);
    await page.goto(`${server.url}/#/w/${keys.ws}/logs?hookId=${hook.body.id}`);
    await page.getByRole("switch", { name: "Live tail" }).click();
    await page.getByRole("status").getByText("Live", { exact: true }).waitFor();
    await post(3);
    const rows = page.getByRole("row");
    await expect.poll(() => rows.count()).toBe(4); // the header and three attempts

    // The pointer rests on the second attempt.
    const box = await rows.nth(2).boundingBox();
    if (!box) throw new Error("the second row has no box");
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    const before = await rowAt(page, x, y);
    expect(before.href).toMatch(/\/logs\/att_/);

    // Two attempts arrive: they are counted, and nothing moves.
    await post(2);
    await page.getByRole("button", { name: "2 new attempts: show" }).waitFor();
    expect(await rows.count()).toBe(4);
    expect(await rowAt(page, x, y)).toEqual(before);

    // Clicking the control shows them (the pointer is still over the list, so it stays held).
    await page.getByRole("button", { name: "2 new attempts: show" }).click();
    await expect.poll(() => rows.count()).toBe(6);
    await post(1);
    await page.getByRole("button", { name: "1 new attempt: show" }).waitFor();
    expect(await rows.count()).toBe(6);

    // Leaving the list shows what waited.
    await page.mouse.move(5, 5);
    await expect.poll(() => rows.count()).toBe(7);
    expect(await page.getByRole("button", { name: /new attempts?: show/ }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("updates a hook's 24-hour line as attempts arrive, and says plainly when there are none", async () => {
    const hook = await server.api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, {
      key: keys.admin,
      body: callbackHook({
        name: "watched-health",
        events: ["manual_verification"],
        urls: [`${receiver.url}/health`],
        retry: { maxAttempts: 1 },
      }),
    });
    expect(hook.status).toBe(201);
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.operator);
    await expect.poll(() => page.url()).toContain(`#/w/${keys.ws}/hooks`);
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/${hook.body.id}`);
    const health = page.getByTestId("hook-health");
    await expect.poll(() => health.textContent()).toBe("No attempts in the last 24 h");

    const postManual = async () => {
      const posted = await server.api.request("POST", `/v1/workspaces/${keys.ws}/events`, {
        key: keys.ingest,
        body: { type: "manual_verification", data: { sessionId: "s-1" } },
      });
      expect(posted.status).toBe(202);
    };
    await postManual();
    await expect.poll(() => health.textContent()).toBe("24 h: 1 attempt, 100% ok");
    receiver.reply((req) => (req.path === "/health" ? { status: 500 } : { status: 200 }));
    await postManual();
    await expect.poll(() => health.textContent()).toBe("24 h: 2 attempts, 50.0% ok");
    expect(errors).toEqual([]);
  });
});
