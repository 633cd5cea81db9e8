// Protects the operators' logs views in a real browser: the live tail shows a new attempt without a
// reload, the status filter lives in the address (and survives a reload), an attempt's detail shows
// the receiver's response, "Retry delivery" re-sends a failed delivery and shows the new attempt, the
// hook's Activity tab shows its stats and recent attempts, and leaving the page while a retry is being
// followed closes the retry's live tail at once (it carries the key and must not outlive the page).
// What changes by itself: the live tail keeps its rows still while the pointer is over the list (new
// attempts are counted in an "N new" control; clicking it or leaving the list shows them), so a
// click never lands on another attempt than the one under the pointer; and a hook's header keeps its
// last-24-hours line current as attempts arrive (by polling: the hook's page holds no stream open),
// saying plainly when there are none.
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
async function rowAt(
  page: Page,
  x: number,
  y: number,
): Promise<{ href: string | null; box: number[] | null }> {
  return (await page.evaluate(`(() => {
    const row = document.elementFromPoint(${x}, ${y})?.closest("tr");
    const box = row?.getBoundingClientRect();
    return {
      href: row?.querySelector("a")?.getAttribute("href") ?? null,
      box: box ? [box.x, box.y, box.width, box.height] : null,
    };
  })()`)) as { href: string | null; box: number[] | null };
}

describeBrowser("logs, live tail, retry and hook activity", () => {
  let server: EditorServer;
  let browser: Browser;
  let receiver: Receiver;
  let keys: WorkspaceKeys;
  let hookId: string;
  /** The live-update tests' own workspace, so the hook above receives none of their events. */
  let live: WorkspaceKeys;

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    receiver = await startReceiver();
    // The first request fails with a 500 and a body; every later one succeeds.
    receiver.reply(() =>
      receiver.requests.length === 1
        ? {
            status: 500,
            headers: { "content-type": "application/json" },
            body: '{"error":"receiver exploded"}',
          }
        : { status: 200, body: "ok" },
    );
    keys = await server.api.workspace("logs");
    live = await server.api.workspace("live");
    // One attempt only, so the failed delivery is finished (not waiting for its next try) and can be retried.
    const hook = await server.api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, {
      key: keys.admin,
      body: callbackHook({ name: "crm-sync", urls: [`${receiver.url}/hook`], retry: { maxAttempts: 1 } }),
    });
    expect(hook.status).toBe(201);
    hookId = hook.body.id;
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  it("tails, filters, shows and retries a failed attempt, then shows the hook's activity", async () => {
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, keys.operator);
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByRole("heading", { name: "Logs" }).waitFor();
    await page.getByText("No attempts recorded yet").waitFor();

    // Live tail: on, then an event posted through the API shows up without a reload.
    await page.getByRole("switch", { name: "Live tail" }).click();
    await page.getByRole("status").getByText("Live", { exact: true }).waitFor();
    const posted = await server.api.request("POST", `/v1/workspaces/${keys.ws}/events`, {
      key: keys.ingest,
      body: { type: "verification", data: { sessionId: "s-42" } },
    });
    expect(posted.status).toBe(202);
    const failedRow = page.getByRole("row").filter({ hasText: "http_error" });
    await failedRow.waitFor();
    expect(await failedRow.textContent()).toContain("HTTP 500");
    expect(await failedRow.textContent()).toContain("crm-sync");
    expect(await failedRow.textContent()).toContain("verification");

    // The status filter goes into the address, and the filtered view survives a reload.
    await page.getByRole("combobox", { name: /^Status/ }).selectOption("failed");
    await expect.poll(() => page.url()).toContain("status=failed");
    await page.reload();
    await failedRow.waitFor();
    expect(await page.getByRole("combobox", { name: /^Status/ }).inputValue()).toBe("failed");
    expect(await page.getByRole("row").count()).toBe(2); // the header and the one failed attempt

    // The detail: the receiver's status and body.
    await failedRow.getByRole("link").first().click();
    await page.getByRole("heading", { name: "Response", exact: true }).waitFor();
    expect(await page.getByTestId("response-status").textContent()).toBe("500");
    await page.getByText('"error": "receiver exploded"').waitFor();
    await page.getByText(`${receiver.url}/hook`).first().waitFor();
    await page.getByText("failed after 1 attempt").waitFor();

    // Retry: the delivery is sent again, succeeds, and the page says so with a link to the attempt.
    await page.getByRole("button", { name: "Retry delivery" }).click();
    await page.getByText("Retry attempt #2 succeeded").waitFor();
    expect(receiver.requests).toHaveLength(2);
    await page.getByText("succeeded after 2 attempts").waitFor();
    await page.getByRole("link", { name: "Open the new attempt" }).click();
    await page.getByRole("heading", { name: /Attempt #2/ }).waitFor();
    expect(await page.getByTestId("response-status").textContent()).toBe("200");

    // The event id links to every attempt of the event: both are listed.
    await page.getByRole("link", { name: posted.body.id }).click();
    await expect.poll(() => page.url()).toContain(`eventId=${posted.body.id}`);
    await page.getByRole("row").filter({ hasText: "success" }).waitFor();
    expect(await page.getByRole("row").count()).toBe(3);

    // The hook's Activity tab: stats of the window, the recent attempts, the last failure.
    await page.goto(`${server.url}/#/w/${keys.ws}/hooks/${hookId}`);
    await page.getByRole("tab", { name: "Activity" }).click();
    const stats = page.getByRole("region", { name: "Stats" });
    await stats.getByText("50.0%").waitFor();
    expect(await stats.getByRole("term").allTextContents()).toEqual([
      "Attempts",
      "Success rate",
      "p50 duration",
      "p95 duration",
    ]);
    expect(await stats.getByRole("definition").first().textContent()).toBe("2");
    await stats.getByRole("link", { name: "Open its log" }).waitFor();
    await page.getByRole("button", { name: "7 days" }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed"))
      .toBe("true");
    await stats.getByText("50.0%").waitFor();
    const recent = page.getByRole("region", { name: "Recent attempts" });
    expect(await recent.getByRole("row").count()).toBe(3);
    expect(await page.getByRole("link", { name: "All attempts in Logs" }).getAttribute("href")).toBe(
      `#/w/${keys.ws}/logs?hookId=${hookId}`,
    );
    await page.getByRole("button", { name: "Replay…" }).waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  it("closes the retry's live tail as soon as the page is left", async () => {
    const { page, errors } = await openPage(browser, server.url);
    // The receiver now answers only after 20 s (the hook waits up to 30 s), so the retry is still
    // waiting for its attempt when we leave, however slow this machine is.
    const patched = await server.api.request("PATCH", `/v1/workspaces/${keys.ws}/hooks/${hookId}`, {
      key: keys.admin,
      body: { timeoutMs: 30_000 },
    });
    expect(patched.status).toBe(200);
    receiver.reply(() => ({ status: 200, body: "late", delayMs: 20_000 }));
    const latest = await server.api.request(
      "GET",
      `/v1/workspaces/${keys.ws}/logs?hookId=${hookId}&limit=1`,
      {
        key: keys.operator,
      },
    );
    expect(latest.status).toBe(200);
    const attemptId: string = latest.body.data[0].id;

    const streams: { url: string; closedAt: number | null }[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/logs/stream")) streams.push({ url: request.url(), closedAt: null });
    });
    const closed = (request: { url(): string }) => {
      const open = streams.find((s) => s.url === request.url() && s.closedAt === null);
      if (open) open.closedAt = Date.now();
    };
    page.on("requestfailed", closed);
    page.on("requestfinished", closed);

    await signIn(page, keys.operator);
    // Signed in and on the first page before going elsewhere: going earlier raced the sign-in's
    // own navigation to the hooks, which could land after ours.
    await expect.poll(() => page.url()).toContain(`#/w/${keys.ws}/hooks`);
    await page.goto(`${server.url}/#/w/${keys.ws}/logs/${attemptId}`);
    await page.getByRole("button", { name: "Retry delivery" }).click();
    await page.getByText("Waiting for the attempt…").waitFor();
    await expect.poll(() => streams.length, { timeout: 10_000 }).toBe(1);
    expect(streams[0]?.url).toContain(`hookId=${hookId}`);
    expect(streams[0]?.closedAt).toBeNull();

    const left = Date.now();
    await page.getByRole("link", { name: "All logs" }).click();
    await page.getByRole("heading", { name: "Logs" }).waitFor();
    await expect.poll(() => streams[0]?.closedAt, { timeout: 10_000 }).not.toBeNull();
    // Closed by leaving, not by the attempt arriving (the receiver answers 20 s after the retry).
    expect(streams[0]!.closedAt! - left).toBeLessThan(10_000);
    // The retry itself went out: leaving only stopped following it.
    await receiver.waitFor(3);
    expect(streams).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 90_000);

  const post = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const posted = await server.api.request("POST", `/v1/workspaces/${live.ws}/events`, {
        key: live.ingest,
        body: { type: "verification", data: { sessionId: `s-${Math.random()}` } },
      });
      expect(posted.status).toBe(202);
    }
  };

  it("keeps the row under the pointer still while new attempts arrive, and counts them", async () => {
    // The retry test above left the receiver answering late: answer at once again.
    receiver.reply(() => ({ status: 200, body: "ok" }));
    const hook = await server.api.request("POST", `/v1/workspaces/${live.ws}/hooks`, {
      key: live.admin,
      body: callbackHook({ name: "held", urls: [`${receiver.url}/held`] }),
    });
    expect(hook.status).toBe(201);
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, live.operator);
    await expect.poll(() => page.url()).toContain(`#/w/${live.ws}/hooks`);
    await page.goto(`${server.url}/#/w/${live.ws}/logs?hookId=${hook.body.id}`);
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
    const hook = await server.api.request("POST", `/v1/workspaces/${live.ws}/hooks`, {
      key: live.admin,
      body: callbackHook({
        name: "watched-health",
        events: ["manual_verification"],
        urls: [`${receiver.url}/health`],
        retry: { maxAttempts: 1 },
      }),
    });
    expect(hook.status).toBe(201);
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, live.operator);
    await expect.poll(() => page.url()).toContain(`#/w/${live.ws}/hooks`);
    // From here only the hook's page is open: it must hold no stream (a connection per open hook
    // page starves the browser's 6 per host), and it asks for the hook again to stay current.
    const streams: string[] = [];
    const hookReads: string[] = [];
    page.on("request", (request) => {
      const url = request.url();
      if (url.includes("/logs/stream")) streams.push(url);
      if (request.method() === "GET" && new URL(url).pathname.endsWith(`/hooks/${hook.body.id}`)) {
        hookReads.push(url);
      }
    });
    await page.goto(`${server.url}/#/w/${live.ws}/hooks/${hook.body.id}`);
    const health = page.getByTestId("hook-health");
    await expect.poll(() => health.textContent()).toBe("No attempts in the last 24 h");

    const postManual = async () => {
      const posted = await server.api.request("POST", `/v1/workspaces/${live.ws}/events`, {
        key: live.ingest,
        body: { type: "manual_verification", data: { sessionId: "s-1" } },
      });
      expect(posted.status).toBe(202);
    };
    // Each change shows within one poll interval (5 s) after the worker records the attempt.
    await postManual();
    await expect.poll(() => health.textContent(), { timeout: 20_000 }).toBe("24 h: 1 attempt, 100% ok");
    receiver.reply((req) => (req.path === "/health" ? { status: 500 } : { status: 200 }));
    await postManual();
    await expect.poll(() => health.textContent(), { timeout: 20_000 }).toBe("24 h: 2 attempts, 50.0% ok");
    expect(streams).toEqual([]);
    // The page's own load, then at least one poll per change.
    expect(hookReads.length).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
  }, 60_000);
});
