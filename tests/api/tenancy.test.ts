// Protects tenant isolation: no route reveals or changes another workspace's data, for every resource.
// Two workspaces, each fully populated; every workspace route, walked from /openapi.json (a new
// route is covered without being listed here), is tried with the other tenant's ids and keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { type Operation, operationsOf } from "../support/operations";
import { openPortal } from "../support/portal";

interface Tenant extends WorkspaceKeys {
  /** An event type only this tenant has. */
  eventType: string;
  callback: string;
  fn: string;
  keyId: string;
  eventId: string;
  deliveryId: string;
  attemptId: string;
  portalSession: string;
  /** Portal session credentials of this tenant, one per role. */
  portalAdmin: string;
  portalOperator: string;
}

/** Bodies that pass validation, so a probe reaches the handler; any other operation gets `{}`. */
const BODIES: Record<string, unknown> = {
  "POST /v1/workspaces/{ws}/keys": { name: "x", role: "admin" },
  "POST /v1/workspaces/{ws}/event-types": { name: "intruder" },
  "PATCH /v1/workspaces/{ws}/event-types/{name}": { description: "owned" },
  "POST /v1/workspaces/{ws}/hooks": callbackHook(),
  "PATCH /v1/workspaces/{ws}/hooks/{id}": { enabled: false },
  "PUT /v1/workspaces/{ws}/hooks/{id}/source": { source: "export default () => 2" },
  "POST /v1/workspaces/{ws}/hooks/{id}/replay": { since: "2026-01-01T00:00:00Z" },
  "POST /v1/workspaces/{ws}/hooks/{id}/filter-test": { event: { type: "verification" } },
  "POST /v1/workspaces/{ws}/events": { type: "verification", data: {} },
};
const bodyOf = (op: Operation) => (op.hasBody ? (BODIES[`${op.method} ${op.path}`] ?? {}) : undefined);

/** The real resource of tenant `t` that a path parameter names; one the walk cannot place fails it. */
function resourceOf(path: string, param: string, t: Tenant): string {
  const collection = path
    .slice(0, path.indexOf(`{${param}}`))
    .split("/")
    .at(-2);
  const resources: Record<string, string> = {
    "workspaces/{ws}": t.ws,
    "keys/{id}": t.keyId,
    "event-types/{name}": t.eventType,
    "hooks/{id}": /\/(signing-secret|replay)/.test(path) ? t.callback : t.fn,
    "events/{id}": t.eventId,
    "deliveries/{id}": t.deliveryId,
    "logs/{id}": t.attemptId,
    "portal-sessions/{id}": t.portalSession,
  };
  const resource = resources[`${collection}/{${param}}`];
  if (resource === undefined)
    throw new Error(`${path}: the tenancy walk does not know which resource {${param}} names; add it`);
  return resource;
}

/** `path` in workspace `ws`, every other parameter naming one of `owner`'s resources. */
const fill = (path: string, ws: string, owner: Tenant) =>
  path.replace(/\{(\w+)\}/g, (_m, param: string) => (param === "ws" ? ws : resourceOf(path, param, owner)));

describe.each(testDatabases)("tenant isolation on $name", (target) => {
  let api: TestApi;
  let a: Tenant;
  let b: Tenant;
  /** Every operation on a workspace, from /openapi.json. */
  let operations: Operation[];

  async function populate(name: string): Promise<Tenant> {
    const keys = await api.workspace(name);
    const post = (path: string, body: unknown) =>
      api.request("POST", `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });
    await post("/event-types", { name: "secret.thing", description: `${name} only` });
    await post("/event-types", { name: `only.${name}` });
    const callback = await post(
      "/hooks",
      callbackHook({ name: "shared-name", headers: { "x-api-key": `${name}-key-123456789` } }),
    );
    const fn = await post(
      "/hooks",
      functionHook({ name: "fn", source: "export default () => 1", secrets: { TOKEN: `${name}-token` } }),
    );
    const listed = await api.request("GET", `/v1/workspaces/${keys.ws}/keys`, { key: keys.admin });
    // No worker runs here: the event's deliveries stay pending, which is all these probes need.
    const event = await post("/events", { type: "verification", data: { secret: `${name}-data` } });
    const invoked = await post(`/hooks/${fn.body.id}/invoke`, { data: { secret: `${name}-data` } });
    const portalAdmin = await openPortal(api, keys.ws, "admin", { key: keys.admin });
    const portalOperator = await openPortal(api, keys.ws, "operator", { key: keys.admin });
    return {
      ...keys,
      eventType: `only.${name}`,
      callback: callback.body.id,
      fn: fn.body.id,
      keyId: listed.body.data[0].id,
      eventId: event.body.id,
      deliveryId: event.body.deliveries[0].id,
      attemptId: invoked.body.attemptId,
      portalSession: portalAdmin.id,
      portalAdmin: portalAdmin.credential,
      portalOperator: portalOperator.credential,
    };
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    a = await populate("alpha");
    b = await populate("beta");
    operations = (await operationsOf(api)).filter((op) => op.path.startsWith("/v1/workspaces/{ws}"));
    if (operations.length === 0) throw new Error("/openapi.json lists no workspace routes");
  });
  afterAll(() => api.close());

  // Every workspace route, written against tenant `t`.
  const routes = (t: Tenant): [string, string, unknown][] =>
    operations.map((op) => [op.method, fill(op.path, t.ws, t), bodyOf(op)]);

  it("refuses every route of another workspace with the same 403, whatever the role, keys and portal sessions alike", async () => {
    for (const key of [a.admin, a.operator, a.ingest, a.portalAdmin, a.portalOperator]) {
      for (const [method, path, body] of routes(b)) {
        const res = await api.request(method, path, { key, body });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(JSON.stringify(res.body)).not.toContain("beta");
      }
    }
  });

  it("answers the same 403 for a workspace that does not exist, so keys cannot probe for tenants", async () => {
    const res = await api.request("GET", "/v1/workspaces/ws_nonexistent/hooks", { key: a.admin });
    expect(res.status).toBe(403);
  });

  it("does not find another workspace's resources by id under one's own workspace", async () => {
    // Every route naming a resource besides the workspace: one's own workspace, the other's resource.
    const probes: [string, string, unknown][] = operations
      .filter((op) => /\{(?!ws\})\w+\}/.test(op.path))
      .map((op) => [op.method, fill(op.path, a.ws, b), bodyOf(op)]);
    expect(probes.length).toBeGreaterThan(0);
    for (const [method, path, body] of probes) {
      const res = await api.request(method, path, { key: a.admin, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });

  it("lists only one's own logs", async () => {
    const logs = await api.request("GET", `/v1/workspaces/${a.ws}/logs`, { key: a.admin });
    expect(logs.body.data.map((l: { id: string }) => l.id)).toEqual([a.attemptId]);
  });

  it("lists only one's own events and deliveries", async () => {
    const events = await api.request("GET", `/v1/workspaces/${a.ws}/events`, { key: a.admin });
    expect(events.body.data.map((e: { id: string }) => e.id)).toEqual([a.eventId]);
    expect(JSON.stringify(events.body)).not.toContain("beta-data");
    const deliveries = await api.request("GET", `/v1/workspaces/${a.ws}/deliveries`, { key: a.admin });
    expect(deliveries.body.data.every((d: { eventId: string }) => d.eventId === a.eventId)).toBe(true);
  });

  it("lists only one's own hooks, keys and event types", async () => {
    const hooks = await api.request("GET", `/v1/workspaces/${a.ws}/hooks`, { key: a.admin });
    expect(hooks.body.data.map((h: { id: string }) => h.id).sort()).toEqual([a.callback, a.fn].sort());
    const types = await api.request("GET", `/v1/workspaces/${a.ws}/event-types`, { key: a.admin });
    expect(types.body.data.find((t: { name: string }) => t.name === "secret.thing").description).toBe(
      "alpha only",
    );
    const keys = await api.request("GET", `/v1/workspaces/${a.ws}/keys`, { key: a.admin });
    expect(keys.body.data.map((k: { id: string }) => k.id)).not.toContain(b.keyId);
  });

  it("left the other workspace untouched after all those attempts", async () => {
    const hook = await api.request("GET", `/v1/workspaces/${b.ws}/hooks/${b.callback}`, { key: b.admin });
    expect(hook.status).toBe(200);
    expect(hook.body.enabled).toBe(true);
    const fn = await api.request("GET", `/v1/workspaces/${b.ws}/hooks/${b.fn}/versions`, { key: b.admin });
    expect(fn.body.data).toHaveLength(1);
    const type = await api.request("GET", `/v1/workspaces/${b.ws}/event-types/secret.thing`, {
      key: b.admin,
    });
    expect(type.body.description).toBe("beta only");
    const keys = await api.request("GET", `/v1/workspaces/${b.ws}/keys`, { key: b.admin });
    expect(keys.body.data.every((k: { revokedAt: string | null }) => k.revokedAt === null)).toBe(true);
  });

  it("lets the root key act in any workspace", async () => {
    const res = await api.request("GET", `/v1/workspaces/${b.ws}/hooks/${b.callback}`, { key: api.rootKey });
    expect(res.status).toBe(200);
  });
});
