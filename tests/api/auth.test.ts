// Protects authentication and role checks: who may call which route, on both databases.
// A wrong answer here is a security hole (an ingest key editing hooks) or a locked-out admin.
// Every operation of /openapi.json is walked too: each refuses exactly the roles it does not
// document, for API keys and portal session credentials alike, so a new route is covered without
// being listed here (a portal session must never reach keys, portal sessions or root routes).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { EVERYONE, operationsOf, PORTAL_ROLES, type PortalWho, type Who } from "../support/operations";
import { openPortal } from "../support/portal";

describe.each(testDatabases)("authentication and roles on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let hookId: string;
  /** Portal session credentials in acme, one per role. */
  let portal: Record<PortalWho, string>;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    portal = {
      admin: (await openPortal(api, acme.ws, "admin")).credential,
      operator: (await openPortal(api, acme.ws, "operator")).credential,
    };
    const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: callbackHook(),
    });
    hookId = hook.body.id;
  });
  afterAll(() => api.close());

  const keyOf = (who: Who) => (who === "root" ? api.rootKey : acme[who]);

  it.each([
    ["no header", {}],
    ["a non-bearer scheme", { authorization: "Basic dXNlcjpwYXNz" }],
    ["an unknown key", { authorization: "Bearer hr_doesnotexist" }],
    ["an empty bearer", { authorization: "Bearer " }],
  ])("answers 401 in the error envelope for %s", async (_label, headers) => {
    const res = await api.request("GET", "/v1/workspaces", { headers });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  // [method, path (with :ws and :hook), body, who may]
  const matrix: [string, string, unknown, Who[]][] = [
    ["GET", "/v1/workspaces", undefined, ["root"]],
    ["POST", "/v1/workspaces", { name: "other" }, ["root"]],
    ["GET", "/v1/workspaces/:ws", undefined, ["root"]],
    ["GET", "/v1/workspaces/:ws/keys", undefined, ["root", "admin"]],
    ["POST", "/v1/workspaces/:ws/keys", { name: "k", role: "ingest" }, ["root", "admin"]],
    ["GET", "/v1/workspaces/:ws/event-types", undefined, ["root", "admin", "operator"]],
    ["POST", "/v1/workspaces/:ws/event-types", { name: "role.check" }, ["root", "admin"]],
    ["GET", "/v1/workspaces/:ws/hooks", undefined, ["root", "admin", "operator"]],
    ["GET", "/v1/workspaces/:ws/hooks/:hook", undefined, ["root", "admin", "operator"]],
    ["POST", "/v1/workspaces/:ws/hooks", callbackHook(), ["root", "admin"]],
    ["PATCH", "/v1/workspaces/:ws/hooks/:hook", { description: "x" }, ["root", "admin"]],
    ["GET", "/v1/workspaces/:ws/hooks/:hook/signing-secret", undefined, ["root", "admin"]],
  ];

  describe.each(matrix)("%s %s", (method, template, body, allowed) => {
    it.each(["root", "admin", "operator", "ingest"] as Who[])("as %s", async (who) => {
      const path = template.replace(":ws", acme.ws).replace(":hook", hookId);
      // Names must stay unique across the table's repeated creates.
      const unique =
        body && typeof body === "object" && "name" in body
          ? { ...body, name: `${String(body.name)}.${who}` }
          : body;
      const res = await api.request(method, path, { key: keyOf(who), body: unique });
      if (allowed.includes(who)) {
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      } else {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe("forbidden");
      }
    });
  });

  /** Status and body of one call with `bearer`; a live tail that answers is hung up on at once. */
  async function call(method: string, path: string, bearer: string, body: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const res = await api.fetch(new Request(`http://localhost${path}`, init));
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await res.body?.cancel();
      return { status: res.status, code: undefined };
    }
    const text = await res.text();
    const parsed = text.startsWith("{") ? (JSON.parse(text) as { error?: { code?: string } }) : {};
    return { status: res.status, code: parsed.error?.code };
  }

  it("refuses, on every operation of /openapi.json, exactly the roles it does not document", async () => {
    let refusals = 0;
    let fresh = 0;
    for (const op of await operationsOf(api)) {
      if (op.callers === "public") continue;
      for (const who of EVERYONE) {
        // A root delete acts in a workspace of its own: the walk must not delete acme. Other
        // parameters name nothing that exists, so nothing real is changed.
        const ws =
          who === "root" && op.method === "DELETE" ? (await api.workspace(`walk-${++fresh}`)).ws : acme.ws;
        const path = op.path.replace(/\{(\w+)\}/g, (_m, p: string) =>
          p === "ws" ? ws : `unknown_${randomBytes(3).toString("hex")}`,
        );
        const res = await call(op.method, path, keyOf(who), op.hasBody ? {} : undefined);
        const label = `${op.method} ${op.path} as ${who}`;
        expect(res.status, label).toBeLessThan(500);
        if (op.callers.includes(who)) {
          expect(res.status, label).not.toBe(403);
        } else {
          refusals++;
          expect(res.status, label).toBe(403);
          expect(res.code, label).toBe("forbidden");
        }
      }
    }
    expect(refusals).toBeGreaterThan(0);
  });

  it("refuses portal sessions, on every operation of /openapi.json, exactly where their Portal role is not documented", async () => {
    const refused = new Set<string>();
    let allowed = 0;
    for (const op of await operationsOf(api)) {
      if (op.callers === "public") continue;
      for (const role of PORTAL_ROLES) {
        // Every parameter but the workspace names nothing that exists: nothing real is changed.
        const path = op.path.replace(/\{(\w+)\}/g, (_m, p: string) =>
          p === "ws" ? acme.ws : `unknown_${randomBytes(3).toString("hex")}`,
        );
        const res = await call(op.method, path, portal[role], op.hasBody ? {} : undefined);
        const label = `${op.method} ${op.path} as a portal ${role}`;
        expect(res.status, label).toBeLessThan(500);
        expect(res.status, label).not.toBe(401);
        if (op.portalCallers.includes(role)) {
          allowed++;
          expect(res.status, label).not.toBe(403);
        } else {
          refused.add(`${op.method} ${op.path} as ${role}`);
          expect(res.status, label).toBe(403);
          expect(res.code, label).toBe("forbidden");
        }
      }
    }
    expect(allowed).toBeGreaterThan(0);
    // What a portal session must never reach, whatever its role: credentials, the platform's catalog
    // and ingest, and root routes.
    // Checked by name too: the walk above holds enforcement to the document, this holds the document
    // to the policy.
    for (const op of [
      "POST /v1/workspaces/{ws}/keys",
      "GET /v1/workspaces/{ws}/keys",
      "DELETE /v1/workspaces/{ws}/keys/{id}",
      "POST /v1/workspaces/{ws}/portal-sessions",
      "GET /v1/workspaces/{ws}/portal-sessions",
      "DELETE /v1/workspaces/{ws}/portal-sessions/{id}",
      "POST /v1/workspaces/{ws}/event-types",
      "PATCH /v1/workspaces/{ws}/event-types/{name}",
      "DELETE /v1/workspaces/{ws}/event-types/{name}",
      "POST /v1/workspaces/{ws}/events",
      "POST /v1/workspaces/{ws}/hooks/{id}/invoke",
      "GET /v1/workspaces",
      "POST /v1/workspaces",
      "DELETE /v1/workspaces/{ws}",
    ])
      for (const role of PORTAL_ROLES) expect(refused, `${op} as ${role}`).toContain(`${op} as ${role}`);
  });

  it("stops accepting a key as soon as it is revoked", async () => {
    const created = await api.request("POST", `/v1/workspaces/${acme.ws}/keys`, {
      key: acme.admin,
      body: { name: "temporary", role: "operator" },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hr_/);
    expect(
      (await api.request("GET", `/v1/workspaces/${acme.ws}/hooks`, { key: created.body.key })).status,
    ).toBe(200);

    const revoked = await api.request("DELETE", `/v1/workspaces/${acme.ws}/keys/${created.body.id}`, {
      key: acme.admin,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(
      (await api.request("GET", `/v1/workspaces/${acme.ws}/hooks`, { key: created.body.key })).status,
    ).toBe(401);
  });

  it("stores only a hash of each key and never lists the key itself", async () => {
    const listed = await api.request("GET", `/v1/workspaces/${acme.ws}/keys`, { key: acme.admin });
    expect(listed.status).toBe(200);
    const text = JSON.stringify(listed.body);
    for (const key of [acme.admin, acme.operator, acme.ingest]) expect(text).not.toContain(key);
    const rows = await api.db.selectFrom("api_keys").select(["hash", "prefix"]).execute();
    for (const row of rows) {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.prefix.length).toBeLessThan(12);
    }
  });
});
