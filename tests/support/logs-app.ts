// The real app on a TestApi's database, with its own live-tail hub and short tail intervals, so
// log tests can watch the hub's subscribers and not wait for production timings.
import { createApp } from "../../api/src/app";
import { createLogger } from "../../api/src/observability/logger";
import { createMetrics } from "../../api/src/observability/metrics";
import { AttemptsHub } from "../../api/src/services/log-hub";
import type { TailOptions } from "../../api/src/services/log-tail";
import { type ApiResponse, sharedAppDeps, type TestApi } from "./app";

export interface LogsApp {
  hub: AttemptsHub;
  errors: unknown[];
  /** The raw response (for streams). */
  fetch(path: string, key: string, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  get(path: string, key: string): Promise<ApiResponse>;
}

export function logsApp(api: TestApi, options: Partial<TailOptions> = {}): LogsApp {
  const errors: unknown[] = [];
  const hub = new AttemptsHub(api.listen, (_m, e) => errors.push(e));
  const app = createApp({
    ...sharedAppDeps(api),
    logTail: { hub, options },
    logger: createLogger("error", { write: (line: string) => void errors.push(line) }),
    metrics: createMetrics({ db: api.db }),
  });
  const fetch = (path: string, key: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    Promise.resolve(app.request(path, { headers: { authorization: `Bearer ${key}`, ...headers }, signal }));
  return {
    hub,
    errors,
    fetch,
    async get(path, key) {
      const res = await fetch(path, key);
      const text = await res.text();
      if (res.status >= 500)
        throw new Error(`GET ${path} answered ${res.status}: ${text} ${String(errors.at(-1))}`);
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
  };
}
