// An app with its own started hot cache over a test API's database: two of them stand for two
// processes, since what one drops reaches the other only by NOTIFY.
import { createApp } from "../../api/src/app";
import { createLogger } from "../../api/src/observability/logger";
import { createMetrics } from "../../api/src/observability/metrics";
import { HotCache } from "../../api/src/services/hot-cache";
import { type ApiResponse, sharedAppDeps, startTestApi, type TestApi } from "./app";
import type { TestDatabase } from "./db";

export interface CachedApp {
  cache: HotCache;
  request(method: string, path: string, key: string, body?: unknown): Promise<ApiResponse>;
}

export function cachedApp(api: TestApi, cache: HotCache): CachedApp {
  const app = createApp({
    ...sharedAppDeps(api),
    logger: createLogger("silent"),
    metrics: createMetrics({ db: api.db, runtime: api.runtime }),
    cache,
  });
  return {
    cache,
    async request(method, path, key, body) {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
  };
}

/** Waits (bounded) for a NOTIFY to reach another process's cache. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

/** A test API and two cached apps over its database, with 10-minute TTLs: only a NOTIFY drops. */
export async function twoCachedApps(
  target: TestDatabase,
): Promise<{ api: TestApi; b: CachedApp; c: CachedApp; close(): Promise<void> }> {
  const api = await startTestApi(target);
  const b = cachedApp(api, new HotCache({ ttlMs: 600_000 }));
  const c = cachedApp(api, new HotCache({ ttlMs: 600_000 }));
  await b.cache.start(api.listen);
  await c.cache.start(api.listen);
  return {
    api,
    b,
    c,
    async close() {
      await b.cache.stop();
      await c.cache.stop();
      await api.close();
    },
  };
}
