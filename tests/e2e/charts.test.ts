// Protects the activity charts in a real browser: a hook's Activity tab draws its attempts by outcome
// and its p50/p95 durations (bars and points present, the counts in the charts' accessible labels),
// switching the window asks the service again and redraws; the hook list draws a success-rate
// sparkline per hook from one call; the workspace overview draws the workspace's charts and lists
// the hooks failing most, each linking to its Activity tab. A workspace without attempts shows the
// empty state ("No attempts in this window") instead of charts, and no sparkline.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callbackHook, type WorkspaceKeys } from "../support/app";
import { attemptRow } from "../support/attempt-row";
import { testDatabases } from "../support/db";
import {
  describeBrowser,
  type EditorServer,
  launchBrowser,
  openPage,
  signIn,
  startEditorServer,
} from "./support/browser";

const MINUTE = 60_000;

describeBrowser("activity charts", () => {
  let server: EditorServer;
  let browser: Browser;
  let busy: WorkspaceKeys;
  let quiet: WorkspaceKeys;
  let crm: string;

  const createHook = async (keys: WorkspaceKeys, name: string) => {
    const res = await server.api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, {
      key: keys.admin,
      body: callbackHook({ name }),
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    server = await startEditorServer(testDatabases[0]!);
    browser = await launchBrowser();
    busy = await server.api.workspace("busy");
    quiet = await server.api.workspace("quiet");
    crm = await createHook(busy, "crm");
    await createHook(busy, "idle");
    await createHook(quiet, "untouched");
    // Attempts at chosen times: four ten minutes ago (one failed), one three days ago.
    const now = Date.now();
    let n = 0;
    const attempt = (ago: number, outcome: string, duration: number) => {
      const at = new Date(now - ago);
      return attemptRow(busy.ws, crm, `att_chart_${n++}`, {
        outcome,
        started_at: at,
        duration_ms: duration,
        created_at: at,
      });
    };
    await server.api.db
      .insertInto("attempts")
      .values([
        attempt(10 * MINUTE, "success", 10),
        attempt(10 * MINUTE, "success", 20),
        attempt(10 * MINUTE, "success", 30),
        attempt(10 * MINUTE, "http_error", 40),
        attempt(3 * 1440 * MINUTE, "success", 50),
      ])
      .execute();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const chart = (page: Page, testId: string) => page.getByTestId(testId);
  const labelOf = async (page: Page, testId: string) =>
    (await chart(page, testId).getAttribute("aria-label")) ?? "";

  it("draws a hook's charts, the list's sparklines and the overview with data", async () => {
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, busy.operator);

    // The hook list: one sparkline call for the whole list; the idle hook has none.
    const sparkline = page.getByRole("img", { name: /Success rate over the last 24 hours/ });
    await sparkline.waitFor();
    expect(await sparkline.count()).toBe(1);
    expect(await sparkline.getAttribute("aria-label")).toBe(
      "Success rate over the last 24 hours: 75.0% of 4 attempts",
    );
    expect(await sparkline.locator("polyline, circle").count()).toBeGreaterThan(0);
    await page.getByRole("row", { name: /idle/ }).getByText("no attempts").waitFor();

    // The hook's Activity tab, 24 hours: one bar of two outcomes, a p50 and a p95 point.
    await page.getByRole("link", { name: "crm" }).click();
    await page.getByRole("tab", { name: "Activity" }).click();
    await chart(page, "outcome-chart").waitFor();
    expect(await labelOf(page, "outcome-chart")).toMatch(
      /^Attempts per 30 minutes over the last 24 hours: 4 attempts \(3 success, 1 http_error\)/,
    );
    expect(await chart(page, "outcome-chart").locator("rect[data-outcome]").count()).toBe(2);
    expect(await labelOf(page, "duration-chart")).toBe(
      "Duration per 30 minutes over the last 24 hours: p50 from 25 ms to 25 ms, p95 up to 38.5 ms.",
    );
    expect(await chart(page, "duration-chart").locator("circle").count()).toBe(2);
    expect(await chart(page, "outcome-chart").locator("title").first().textContent()).toMatch(
      /4 attempts \(3 success, 1 http_error\)/,
    );

    // Another window asks the service again and redraws.
    const asked = page.waitForRequest((r) => r.url().includes(`/hooks/${crm}/activity?window=7d`));
    await page.getByRole("button", { name: "7 days" }).click();
    await asked;
    await expect
      .poll(() => labelOf(page, "outcome-chart"))
      .toMatch(/^Attempts per 3 hours over the last 7 days: 5 attempts \(4 success, 1 http_error\)/);
    expect(await chart(page, "outcome-chart").locator("g.chart-bar").count()).toBe(2);
    await page.getByRole("button", { name: "1 hour" }).click();
    await expect
      .poll(() => labelOf(page, "outcome-chart"))
      .toMatch(/^Attempts per minute over the last 1 hour: 4/);

    // The overview: the workspace's charts and the hook failing most, linking to its activity.
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await expect
      .poll(() => labelOf(page, "outcome-chart"))
      .toMatch(/over the last 24 hours: 4 attempts \(3 success, 1 http_error\)/);
    expect(await chart(page, "duration-chart").locator("circle").count()).toBe(2);
    const failing = page.getByRole("region", { name: "Failing most" });
    expect(await failing.getByRole("row").nth(1).textContent()).toMatch(/crm.*1.*4.*75\.0%/);
    await failing.getByRole("link", { name: "crm" }).click();
    await page.getByRole("tab", { name: "Activity", selected: true }).waitFor();
    await chart(page, "outcome-chart").waitFor();
    expect(errors).toEqual([]);
  });

  it("shows the empty state where there are no attempts", async () => {
    const { page, errors } = await openPage(browser, server.url);
    await signIn(page, quiet.operator);
    await page.getByRole("link", { name: "untouched" }).waitFor();
    await page
      .getByRole("row", { name: /untouched/ })
      .getByText("no attempts")
      .waitFor();
    expect(await page.getByTestId("sparkline").count()).toBe(0);

    await page.getByRole("link", { name: "untouched" }).click();
    await page.getByRole("tab", { name: "Activity" }).click();
    await expect.poll(() => page.getByText("No attempts in this window").count()).toBe(2);
    expect(await page.getByRole("img", { name: /Attempts per/ }).count()).toBe(0);

    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByText("No hook failed in this window.").waitFor();
    expect(await page.getByText("No attempts in this window").count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
