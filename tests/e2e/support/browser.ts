// Browser end-to-end support: the real service (API + dispatch worker + built editor) on a loopback
// port, and Debian's Chromium driven by playwright-core. Without a browser the suites skip and say
// so; under CI (CI=true) a missing browser fails instead, so CI can never pass by skipping.
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { describe, onTestFailed } from "vitest";
import type { DispatchWorker } from "../../../api/src/dispatch/worker";
import { startTestApi, type TestApi, testWorker } from "../../support/app";
import type { TestDatabase } from "../../support/db";

export const CHROMIUM_PATH = process.env.HOOKRUN_CHROMIUM ?? "/usr/bin/chromium";
const EDITOR_DIR = join(import.meta.dirname, "../../../dist/editor");

const browserMissing = !existsSync(CHROMIUM_PATH);
const underCi = /^(1|true|yes)$/i.test(process.env.CI ?? "");
if (browserMissing && underCi) {
  throw new Error(`CI: no browser at ${CHROMIUM_PATH}; .ci/run installs Debian's chromium`);
}

/**
 * `describe` for browser suites: skipped, with a line saying why, when there is no browser. A
 * browser flow on a busy 2-core machine (the rest of the suite runs beside it) can take a while:
 * each step may wait STEP_TIMEOUT_MS, a whole test 120 s.
 */
export function describeBrowser(name: string, body: () => void): void {
  if (browserMissing) {
    console.warn(
      `SKIPPED browser tests "${name}": no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set HOOKRUN_CHROMIUM)`,
    );
    describe.skip(name, body);
    return;
  }
  describe(name, { timeout: 120_000 }, body);
}

/** How long one step (a click, a wait for text) may take before the test fails naming that step. */
export const STEP_TIMEOUT_MS = 30_000;

export async function launchBrowser(): Promise<Browser> {
  // playwright-core gives each launch a fresh, empty user-data-dir.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

export interface EditorServer {
  api: TestApi;
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  worker: DispatchWorker;
  close(): Promise<void>;
}

export interface EditorServerOptions {
  /** Origins that may frame /portal; portal links point at http://localhost:port. */
  portalOrigins?: readonly string[];
  /** The API's clock (portal sessions expire by it). */
  clock?: () => Date;
}

/** The service as `npm start` runs it (API, worker, built editor), on a test database. */
export async function startEditorServer(
  target: TestDatabase,
  options: EditorServerOptions = {},
): Promise<EditorServer> {
  if (!existsSync(join(EDITOR_DIR, "index.html")))
    throw new Error(`the editor is not built in ${EDITOR_DIR}`);
  // Listening first: the port is part of the portal links' address, which the app is made with.
  let app: TestApi["fetch"] = () => new Response("starting", { status: 503 });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: (request) => app(request), port: 0, hostname: "127.0.0.1" }, () =>
      resolve(s as Server),
    );
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no server address");
  const api = await startTestApi(target, {
    editorDir: EDITOR_DIR,
    portal: { publicUrl: `http://localhost:${address.port}`, origins: options.portalOrigins ?? [] },
    clock: options.clock,
  });
  app = api.fetch;
  const worker = testWorker(api);
  await worker.start();
  return {
    api,
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    worker,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await api.close();
    },
  };
}

/** A page at 1280x800 (the size the editor is made for) that fails the test on any page error. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Below the test's own timeout, so a step that never completes fails with its locator in the message.
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    // The browser reports every 4xx answer as a console error; the UI shows those itself, and
    // the tests check that it does. Anything else logged as an error is a defect.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      errors.push(message.text());
    }
  });
  // A failed browser test says where the page was and what it showed, so a failure in CI can be read.
  onTestFailed(async () => {
    const shown = await page.evaluate("document.body.innerText").catch(() => "(page unreadable)");
    console.error(
      `browser page at failure: ${page.url()}\n${String(shown).slice(0, 2000)}\nerrors: ${errors.join("; ")}`,
    );
  });
  await page.goto(url);
  return { page, errors };
}

/** Signs in through the form with the given key. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}
