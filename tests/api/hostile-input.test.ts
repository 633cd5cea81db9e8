// Protects the API from hostile values that once answered 500 or an SSE error after a 200: each
// class found (impossible cursors, impossible dates, U+0000 in tail filters, lone surrogates and
// 10,000-deep JSON in any stored body, out-of-range integers, header values HTTP cannot carry) is
// refused with a 4xx in the one envelope, on both databases. (The test client fails any 5xx.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const IMPOSSIBLE_CURSORS = [cursorOf(["2024-02-30T00:00:00Z", "x"]), cursorOf(["0000-01-01T00:00:00Z", "x"])];
const deep = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe.each(testDatabases)("hostile input on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let fn: string;
  const base = () => `/v1/workspaces/${acme.ws}`;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    const created = await api.request("POST", `${base()}/hooks`, {
      key: acme.admin,
      body: functionHook({ source: "export default (e) => e.data" }),
    });
    expect(created.status).toBe(201);
    fn = created.body.id;
  });
  afterAll(() => api.close());

  /** A refusal in the envelope, with a request id. */
  function refused(res: { status: number; body: { error?: { code?: string; requestId?: string } } }) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error?.code).toEqual(expect.any(String));
    expect(res.body.error?.requestId).toEqual(expect.any(String));
  }

  it.each(["/v1/workspaces", "/events", "/deliveries", "/logs"])(
    "refuses an impossible cursor on %s",
    async (path) => {
      for (const cursor of IMPOSSIBLE_CURSORS) {
        const url = path.startsWith("/v1") ? path : `${base()}${path}`;
        const res = await api.request("GET", `${url}?cursor=${cursor}`, {
          key: path.startsWith("/v1") ? api.rootKey : acme.admin,
        });
        refused(res);
        expect(res.status).toBe(422);
      }
    },
  );

  it("refuses a live tail's impossible resume position or U+0000 filter before answering 200", async () => {
    for (const cursor of IMPOSSIBLE_CURSORS) {
      refused(await api.request("GET", `${base()}/logs/stream?after=${cursor}`, { key: acme.admin }));
      refused(
        await api.request("GET", `${base()}/logs/stream`, {
          key: acme.admin,
          headers: { "last-event-id": cursor },
        }),
      );
    }
    for (const filter of ["hookId", "outcome", "eventType", "eventId"]) {
      refused(await api.request("GET", `${base()}/logs/stream?${filter}=a%00b`, { key: acme.admin }));
      refused(await api.request("GET", `${base()}/logs?${filter}=a%00b`, { key: acme.admin }));
    }
  });

  it("refuses dates the database cannot store in filters and bodies", async () => {
    for (const when of ["0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z"]) {
      refused(await api.request("GET", `${base()}/events?since=${when}`, { key: acme.admin }));
      refused(await api.request("GET", `${base()}/logs?until=${when}`, { key: acme.admin }));
      refused(
        await api.request("POST", `${base()}/hooks/${fn}/replay`, { key: acme.admin, body: { since: when } }),
      );
    }
  });

  it.each([
    ["an event's data", "POST", "/events", { type: "verification", data: { s: "\ud800" } }],
    ["an event's context", "POST", "/events", { type: "verification", data: {}, context: { k: "x\udc00" } }],
    ["a key in an event's data", "POST", "/events", { type: "verification", data: { "\ud800": 1 } }],
    ["an event type's example", "POST", "/event-types", { name: "lone.example", example: { s: "\ud800" } }],
    ["an event type's schema", "POST", "/event-types", { name: "lone.schema", schema: { title: "\ud800" } }],
    [
      "a signing prefix",
      "POST",
      "/hooks",
      callbackHook({ signing: { scheme: "hmac-sha256", header: "X-Sig", prefix: "\ud800" } }),
    ],
  ])("refuses a lone surrogate in %s", async (_label, method, path, body) => {
    const res = await api.request(method, `${base()}${path}`, {
      key: path === "/events" ? acme.ingest : acme.admin,
      body,
    });
    refused(res);
    expect(res.body.error.message).toMatch(/lone surrogate/);
  });

  it.each([
    ["an event's data", "/events", (d: string) => `{"type":"verification","data":${d}}`],
    ["an invoke body", `/hooks/{fn}/invoke`, (d: string) => `{"data":${d}}`],
    ["a test body", `/hooks/{fn}/test`, (d: string) => `{"data":${d}}`],
    ["an event type's example", "/event-types", (d: string) => `{"name":"deep.example","example":${d}}`],
  ])("refuses JSON nested 10,000 deep in %s", async (_label, path, body) => {
    const res = await api.request("POST", `${base()}${path.replace("{fn}", fn)}`, {
      key: path === "/events" ? acme.ingest : acme.admin,
      rawBody: body(deep(10_000)),
      headers: { "content-type": "application/json" },
    });
    refused(res);
    expect(res.body.error.message).toMatch(/nested deeper than 64/);
  });

  it("refuses a version number beyond the database's integers", async () => {
    const res = await api.request("POST", `${base()}/hooks/${fn}/deploy`, {
      key: acme.admin,
      body: { version: 2_147_483_648 },
    });
    refused(res);
    expect(res.status).toBe(400);
  });

  it("refuses header values HTTP cannot carry, naming the header (POST and PATCH)", async () => {
    const created = await api.request("POST", `${base()}/hooks`, {
      key: acme.admin,
      body: callbackHook({ headers: { "x-api-key": "sk_live_…" } }),
    });
    refused(created);
    expect(JSON.stringify(created.body.error.details)).toContain("x-api-key");
    const ok = await api.request("POST", `${base()}/hooks`, {
      key: acme.admin,
      body: callbackHook({ headers: { "x-api-key": "sk_live_0123456789" } }),
    });
    expect(ok.status).toBe(201);
    const patched = await api.request("PATCH", `${base()}/hooks/${ok.body.id}`, {
      key: acme.admin,
      body: { headers: { "x-api-key": "tab\tok, newline\nnot" } },
    });
    refused(patched);
  });
});
