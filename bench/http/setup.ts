// What the targets need, made through the service's own API: a workspace, its admin key, a callback
// hook and a function hook whose live version returns a small value.
import type { Service } from "./service";

export interface Fixture {
  ws: string;
  admin: string;
  callbackHook: string;
  functionHook: string;
}

/** The two hooks: a callback (read by GET) and a function returning a small value (test, invoke). */
export const HOOKS = {
  callback: {
    kind: "callback",
    name: "bench-callback",
    events: ["verification"],
    urls: ["https://example.com/hook"],
  },
  function: {
    kind: "function",
    name: "bench-function",
    events: ["verification"],
    source: "export default (e) => ({ ok: true, n: e.data.n })",
  },
};

/** A string field of the 2xx JSON answer to a POST of `body` to the service's `path` with `key`. */
export async function postForField(service: Service, name: string, path: string, key: string, body: unknown) {
  const res = await fetch(`${service.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  const value: unknown = (JSON.parse(text) as Record<string, unknown>)[name];
  if (typeof value !== "string") throw new Error(`POST ${path}: no "${name}" in ${text}`);
  return value;
}

export async function createFixture(service: Service): Promise<Fixture> {
  const field = (name: string, path: string, key: string, body: unknown) =>
    postForField(service, name, path, key, body);
  const ws = await field("id", "/v1/workspaces", service.rootKey, { name: "bench-http" });
  const admin = await field("key", `/v1/workspaces/${ws}/keys`, service.rootKey, {
    name: "admin",
    role: "admin",
  });
  const hook = (body: Record<string, unknown>) => field("id", `/v1/workspaces/${ws}/hooks`, admin, body);
  return { ws, admin, callbackHook: await hook(HOOKS.callback), functionHook: await hook(HOOKS.function) };
}
