// Protects tenant isolation: no route reveals or changes another workspace's data, for every resource.
// Two workspaces, each fully populated; every route is tried with the other tenant's ids and keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

interface Tenant extends WorkspaceKeys {
  callback: string;
  fn: string;
  keyId: string;
  eventId: string;
  deliveryId: string;
  attemptId: string;
}

describe.each(testDatabases)("tenant isolation on $name", (target) => {
  let api: TestApi;
  let a: Tenant;
  let b: Tenant;

  async function populate(name: string): Promise<Tenant> {
    const keys = await api.workspace(name);
    const post = (path: string, body: unknown) =>
      api.request("POST", `/v1/workspaces/${keys.ws}${path}`, { key: keys.admin, body });
    await post("/event-types", { name: "secret.thing", description: `${name} only` });
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
    return {
      ...keys,
      callback: callback.body.id,
      fn: fn.body.id,
      keyId: listed.body.data[0].id,
      eventId: event.body.id,
      deliveryId: event.body.deliveries[0].id,
      attemptId: invoked.body.attemptId,
    };
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    a = await populate("alpha");
    b = await populate("beta");
  });
  afterAll(() => api.close());

  // Every workspace route, written against tenant `t`.
  const routes = (t: Tenant): [string, string, unknown][] => [
    ["GET", `/v1/workspaces/${t.ws}/keys`, undefined],
    ["POST", `/v1/workspaces/${t.ws}/keys`, { name: "x", role: "admin" }],
    ["DELETE", `/v1/workspaces/${t.ws}/keys/${t.keyId}`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/event-types`, undefined],
    ["POST", `/v1/workspaces/${t.ws}/event-types`, { name: "intruder" }],
    ["GET", `/v1/workspaces/${t.ws}/event-types/secret.thing`, undefined],
    ["PATCH", `/v1/workspaces/${t.ws}/event-types/secret.thing`, { description: "owned" }],
    ["DELETE", `/v1/workspaces/${t.ws}/event-types/secret.thing`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/hooks`, undefined],
    ["POST", `/v1/workspaces/${t.ws}/hooks`, callbackHook()],
    ["GET", `/v1/workspaces/${t.ws}/hooks/${t.callback}`, undefined],
    ["PATCH", `/v1/workspaces/${t.ws}/hooks/${t.callback}`, { enabled: false }],
    ["DELETE", `/v1/workspaces/${t.ws}/hooks/${t.callback}`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/hooks/${t.callback}/signing-secret`, undefined],
    ["POST", `/v1/workspaces/${t.ws}/hooks/${t.callback}/signing-secret/rotate`, {}],
    ["PUT", `/v1/workspaces/${t.ws}/hooks/${t.fn}/source`, { source: "export default () => 2" }],
    ["POST", `/v1/workspaces/${t.ws}/hooks/${t.fn}/deploy`, {}],
    ["GET", `/v1/workspaces/${t.ws}/hooks/${t.fn}/versions`, undefined],
    ["POST", `/v1/workspaces/${t.ws}/hooks/${t.fn}/invoke`, {}],
    ["POST", `/v1/workspaces/${t.ws}/hooks/${t.fn}/test`, {}],
    ["POST", `/v1/workspaces/${t.ws}/hooks/${t.callback}/replay`, { since: "2026-01-01T00:00:00Z" }],
    ["POST", `/v1/workspaces/${t.ws}/events`, { type: "verification", data: {} }],
    ["GET", `/v1/workspaces/${t.ws}/events`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/events/${t.eventId}`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/deliveries`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/deliveries/${t.deliveryId}`, undefined],
    ["POST", `/v1/workspaces/${t.ws}/deliveries/${t.deliveryId}/retry`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/logs`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/logs/${t.attemptId}`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/logs/stream`, undefined],
    ["GET", `/v1/workspaces/${t.ws}/hooks/${t.fn}/stats`, undefined],
  ];

  it("refuses every route of another workspace with the same 403, whatever the role", async () => {
    for (const key of [a.admin, a.operator, a.ingest]) {
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
    const probes: [string, string, unknown][] = [
      ["GET", `/v1/workspaces/${a.ws}/hooks/${b.callback}`, undefined],
      ["PATCH", `/v1/workspaces/${a.ws}/hooks/${b.callback}`, { enabled: false }],
      ["DELETE", `/v1/workspaces/${a.ws}/hooks/${b.fn}`, undefined],
      ["GET", `/v1/workspaces/${a.ws}/hooks/${b.callback}/signing-secret`, undefined],
      ["POST", `/v1/workspaces/${a.ws}/hooks/${b.callback}/signing-secret/rotate`, {}],
      ["PUT", `/v1/workspaces/${a.ws}/hooks/${b.fn}/source`, { source: "export default () => 3" }],
      ["POST", `/v1/workspaces/${a.ws}/hooks/${b.fn}/deploy`, {}],
      ["GET", `/v1/workspaces/${a.ws}/hooks/${b.fn}/versions`, undefined],
      ["POST", `/v1/workspaces/${a.ws}/hooks/${b.fn}/invoke`, {}],
      ["POST", `/v1/workspaces/${a.ws}/hooks/${b.fn}/test`, {}],
      ["POST", `/v1/workspaces/${a.ws}/hooks/${b.callback}/replay`, { since: "2026-01-01T00:00:00Z" }],
      ["DELETE", `/v1/workspaces/${a.ws}/keys/${b.keyId}`, undefined],
      ["GET", `/v1/workspaces/${a.ws}/events/${b.eventId}`, undefined],
      ["GET", `/v1/workspaces/${a.ws}/deliveries/${b.deliveryId}`, undefined],
      ["POST", `/v1/workspaces/${a.ws}/deliveries/${b.deliveryId}/retry`, undefined],
      ["GET", `/v1/workspaces/${a.ws}/logs/${b.attemptId}`, undefined],
      ["GET", `/v1/workspaces/${a.ws}/hooks/${b.fn}/stats`, undefined],
    ];
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
