// Protects workspace lifecycle and the event catalog: defaults for new tenants, pagination,
// cascading delete, schema-checked event types, and the service endpoints (health, OpenAPI).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, startTestApi, type TestApi } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("workspaces and event types on $name", (target) => {
  let api: TestApi;
  const root = (method: string, path: string, body?: unknown) =>
    api.request(method, path, { key: api.rootKey, body });

  beforeAll(async () => {
    api = await startTestApi(target);
  });
  afterAll(() => api.close());

  it("starts every workspace with the verification event types", async () => {
    const ws = await root("POST", "/v1/workspaces", { name: "kvalifika", description: "seed 000" });
    expect(ws.status).toBe(201);
    expect(ws.body).toMatchObject({
      name: "kvalifika",
      description: "seed 000",
      id: expect.stringMatching(/^ws_/),
    });
    const types = await root("GET", `/v1/workspaces/${ws.body.id}/event-types`);
    // Its own two, and hookrun's operational types (tests/api/operational-events.test.ts).
    const own = types.body.data.filter((t: { builtIn: boolean }) => !t.builtIn);
    expect(own.map((t: { name: string }) => t.name)).toEqual(["manual_verification", "verification"]);
    expect(own[0].example).toEqual(expect.any(Object));
  });

  it("pages through workspaces newest first with a cursor", async () => {
    for (let i = 0; i < 5; i++) await root("POST", "/v1/workspaces", { name: `page-${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await root("GET", `/v1/workspaces${query}`);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((w: { name: string }) => w.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((n) => n.startsWith("page-"))).toEqual([
      "page-4",
      "page-3",
      "page-2",
      "page-1",
      "page-0",
    ]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("renames a workspace and deletes it with everything inside", async () => {
    const ws = await root("POST", "/v1/workspaces", { name: "doomed" });
    const id = ws.body.id;
    expect((await root("PATCH", `/v1/workspaces/${id}`, { name: "doomed-renamed" })).body.name).toBe(
      "doomed-renamed",
    );
    const key = await root("POST", `/v1/workspaces/${id}/keys`, { name: "a", role: "admin" });
    await api.request("POST", `/v1/workspaces/${id}/hooks`, { key: key.body.key, body: callbackHook() });

    expect((await root("DELETE", `/v1/workspaces/${id}`)).status).toBe(204);
    expect((await root("GET", `/v1/workspaces/${id}`)).status).toBe(404);
    expect((await root("GET", `/v1/workspaces/${id}/hooks`)).status).toBe(404);
    expect((await api.request("GET", `/v1/workspaces/${id}/hooks`, { key: key.body.key })).status).toBe(401);
    const left = await api.db.selectFrom("hooks").select("id").where("workspace_id", "=", id).execute();
    expect(left).toEqual([]);
  });

  it("keeps an event type's schema and example, and checks updates against each other", async () => {
    const ws = await root("POST", "/v1/workspaces", { name: "catalog" });
    const base = `/v1/workspaces/${ws.body.id}/event-types`;
    const schema = { type: "object", required: ["userId"], properties: { userId: { type: "string" } } };
    const created = await root("POST", base, {
      name: "user.created",
      description: "A user signed up",
      schema,
      example: { userId: "u1" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "user.created", schema, example: { userId: "u1" } });

    expect((await root("PATCH", `${base}/user.created`, { example: { nope: true } })).status).toBe(422);
    const patched = await root("PATCH", `${base}/user.created`, { description: "changed", schema: null });
    expect(patched.body).toMatchObject({ description: "changed", schema: null, example: { userId: "u1" } });
    expect((await root("DELETE", `${base}/user.created`)).status).toBe(204);
    expect((await root("GET", `${base}/user.created`)).status).toBe(404);
  });

  it("answers health, readiness and the OpenAPI document without a key", async () => {
    expect((await api.request("GET", "/healthz")).body).toEqual({ status: "ok" });
    expect((await api.request("GET", "/readyz")).body).toEqual({ status: "ready" });
    const doc = await api.request("GET", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      "/v1/workspaces",
      "/v1/workspaces/{ws}",
      "/v1/workspaces/{ws}/keys",
      "/v1/workspaces/{ws}/keys/{id}",
      "/v1/workspaces/{ws}/event-types",
      "/v1/workspaces/{ws}/event-types/{name}",
      "/v1/workspaces/{ws}/hooks",
      "/v1/workspaces/{ws}/hooks/{id}",
      "/v1/workspaces/{ws}/hooks/{id}/source",
      "/v1/workspaces/{ws}/hooks/{id}/deploy",
      "/v1/workspaces/{ws}/hooks/{id}/versions",
      "/v1/workspaces/{ws}/hooks/{id}/signing-secret",
      "/v1/workspaces/{ws}/hooks/{id}/signing-secret/rotate",
      "/v1/workspaces/{ws}/hooks/{id}/test",
      "/v1/workspaces/{ws}/hooks/{id}/invoke",
      "/v1/workspaces/{ws}/hooks/{id}/replay",
      "/v1/workspaces/{ws}/events",
      "/v1/workspaces/{ws}/events/{id}",
      "/v1/workspaces/{ws}/deliveries",
      "/v1/workspaces/{ws}/deliveries/{id}",
      "/v1/workspaces/{ws}/deliveries/{id}/retry",
      "/",
      "/v1/me",
      "/healthz",
      "/readyz",
      "/metrics",
      "/v1/workspaces/{ws}/logs",
      "/v1/workspaces/{ws}/logs/{id}",
      "/v1/workspaces/{ws}/logs/stream",
      "/v1/workspaces/{ws}/hooks/{id}/stats",
    ]) {
      expect(paths).toContain(p);
    }
    expect(doc.body.components.securitySchemes.Bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.body.components.schemas.Error).toBeDefined();
  });

  it("echoes a plain caller request id and replaces a hostile one", async () => {
    const kept = await api.request("GET", "/healthz", { headers: { "x-request-id": "trace-123" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-123");
    const replaced = await api.request("GET", "/v1/workspaces", {
      headers: { "x-request-id": "a b<script>" },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.body.error.requestId).toBe(replaced.headers.get("x-request-id"));
  });
});
