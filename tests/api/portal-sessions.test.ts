// Protects portal sessions (PRODUCT.md "Portal"), on both databases: a link opens exactly once (also
// under concurrent exchanges), its credential acts only in its workspace with its role until it
// expires or is ended (at once, through the key cache too), it can never manage credentials, the
// input is validated, and only /portal may be framed, by the configured origins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { openPortal, tokenOf } from "../support/portal";

const PUBLIC_URL = "https://hooks.example.com";
const ORIGINS = ["https://app.example.com", "http://127.0.0.1:4000"];

describe.each(testDatabases)("portal sessions on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let other: WorkspaceKeys;
  /** The API's clock: the tests move it to expire sessions. */
  let offsetMs = 0;

  beforeAll(async () => {
    api = await startTestApi(target, {
      portal: { publicUrl: PUBLIC_URL, origins: ORIGINS },
      clock: () => new Date(Date.now() + offsetMs),
      cached: true,
    });
    acme = await api.workspace("acme");
    other = await api.workspace("other");
  });
  afterAll(() => api.close());

  const create = (body: unknown, key = acme.admin, ws = acme.ws) =>
    api.request("POST", `/v1/workspaces/${ws}/portal-sessions`, { key, body });
  const exchange = (token: string) => api.request("POST", "/v1/portal/exchange", { body: { token } });

  it("creates a session whose link opens the editor, once, in its workspace with its role and theme", async () => {
    const theme = {
      name: "Acme",
      logoUrl: "https://acme.example.com/logo.png",
      accentColor: "#0f766e",
      mode: "dark",
    };
    const before = Date.now();
    const created = await create({ role: "operator", ttlSeconds: 600, theme });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(created.body).sort()).toEqual(["expiresAt", "id", "url"]);
    expect(created.body.url).toMatch(/^https:\/\/hooks\.example\.com\/portal#token=hrl_[\w-]{43}$/);
    const expires = Date.parse(created.body.expiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(600_000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(600_000 + 5000);

    const opened = await exchange(tokenOf(created.body.url));
    expect(opened.status).toBe(200);
    expect(opened.headers.get("cache-control")).toBe("no-store");
    expect(opened.body).toEqual({
      credential: expect.stringMatching(/^hrp_[\w-]{43}$/),
      expiresAt: created.body.expiresAt,
      role: "operator",
      workspaceId: acme.ws,
      workspaceName: "acme",
      theme,
    });
    const me = await api.request("GET", "/v1/me", { key: opened.body.credential });
    expect(me.body).toEqual({ role: "operator", workspaceId: acme.ws, workspaceName: "acme" });
    const hooks = await api.request("GET", `/v1/workspaces/${acme.ws}/hooks`, {
      key: opened.body.credential,
    });
    expect(hooks.status).toBe(200);
    // An operator session reads but does not change.
    const write = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: opened.body.credential,
      body: callbackHook(),
    });
    expect(write.status).toBe(403);
  });

  it("defaults to an hour, and answers 410 in the envelope for a second exchange of the same link", async () => {
    const created = await create({ role: "admin" });
    const ttl = Date.parse(created.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    const token = tokenOf(created.body.url);
    expect((await exchange(token)).status).toBe(200);
    const again = await exchange(token);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe("gone");
    expect(again.body.error.message).toContain("already used");
    expect(again.body.error.requestId).toBe(again.headers.get("x-request-id"));
  });

  it("lets exactly one of several concurrent exchanges of one link win", async () => {
    const token = tokenOf((await create({ role: "admin" })).body.url);
    const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(token)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410, 410, 410, 410, 410]);
  });

  it("answers 404 for a link that is unknown, expired or ended before it was opened", async () => {
    const unknown = await exchange("hrl_nosuchtoken");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain("unknown, expired or revoked");

    const ended = await create({ role: "admin" });
    await api.request("DELETE", `/v1/workspaces/${acme.ws}/portal-sessions/${ended.body.id}`, {
      key: acme.admin,
    });
    expect((await exchange(tokenOf(ended.body.url))).status).toBe(404);

    const short = await create({ role: "admin", ttlSeconds: 60 });
    offsetMs = 61_000;
    try {
      expect((await exchange(tokenOf(short.body.url))).status).toBe(404);
    } finally {
      offsetMs = 0;
    }
  });

  it("stops accepting a session's credential once it expires, though it is cached", async () => {
    const opened = await openPortal(api, acme.ws, "admin", { key: acme.admin, ttlSeconds: 60 });
    const hooks = `/v1/workspaces/${acme.ws}/hooks`;
    expect((await api.request("GET", hooks, { key: opened.credential })).status).toBe(200);
    offsetMs = 59_000;
    try {
      expect((await api.request("GET", hooks, { key: opened.credential })).status).toBe(200);
      offsetMs = 60_001;
      const expired = await api.request("GET", hooks, { key: opened.credential });
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toContain("portal session has ended");
      // Nor is it listed as active any more.
      const listed = await api.request("GET", `/v1/workspaces/${acme.ws}/portal-sessions`, {
        key: acme.admin,
      });
      expect(listed.body.data.map((s: { id: string }) => s.id)).not.toContain(opened.id);
    } finally {
      offsetMs = 0;
    }
  });

  it("lists the active sessions without any secret, and ends one at once", async () => {
    const opened = await openPortal(api, acme.ws, "admin", { key: acme.admin });
    const hooks = `/v1/workspaces/${acme.ws}/hooks`;
    // Cached now: the revocation must reach the cache, not wait for its expiry.
    expect((await api.request("GET", hooks, { key: opened.credential })).status).toBe(200);
    const listed = await api.request("GET", `/v1/workspaces/${acme.ws}/portal-sessions`, { key: acme.admin });
    expect(listed.status).toBe(200);
    const mine = listed.body.data.find((s: { id: string }) => s.id === opened.id);
    expect(mine).toEqual({
      id: opened.id,
      role: "admin",
      theme: {},
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      usedAt: expect.any(String),
    });
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(opened.credential);
    expect(text).not.toContain(opened.token);
    const rows = await api.db
      .selectFrom("portal_sessions")
      .select(["token_hash", "credential_hash"])
      .execute();
    for (const row of rows) {
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.credential_hash ?? "0".repeat(64)).toMatch(/^[0-9a-f]{64}$/);
    }

    const ended = await api.request("DELETE", `/v1/workspaces/${acme.ws}/portal-sessions/${opened.id}`, {
      key: acme.admin,
    });
    expect(ended.status).toBe(200);
    expect(ended.body.id).toBe(opened.id);
    expect((await api.request("GET", hooks, { key: opened.credential })).status).toBe(401);
    const again = await api.request("DELETE", `/v1/workspaces/${acme.ws}/portal-sessions/${opened.id}`, {
      key: acme.admin,
    });
    expect(again.status).toBe(404);
    const after = await api.request("GET", `/v1/workspaces/${acme.ws}/portal-sessions`, { key: acme.admin });
    expect(after.body.data.map((s: { id: string }) => s.id)).not.toContain(opened.id);
  });

  it("gives an admin session the workspace's hooks, never keys, portal sessions, root routes or another workspace", async () => {
    const { credential } = await openPortal(api, acme.ws, "admin");
    const as = (method: string, path: string, body?: unknown) =>
      api.request(method, path, { key: credential, body });
    const hook = await as("POST", `/v1/workspaces/${acme.ws}/hooks`, callbackHook({ name: "from-portal" }));
    expect(hook.status).toBe(201);
    // Minting a lasting credential from a short session is what must never work.
    for (const [method, path, body] of [
      ["POST", `/v1/workspaces/${acme.ws}/keys`, { name: "escape", role: "admin" }],
      ["GET", `/v1/workspaces/${acme.ws}/keys`, undefined],
      ["POST", `/v1/workspaces/${acme.ws}/portal-sessions`, { role: "admin", ttlSeconds: 86400 }],
      ["GET", `/v1/workspaces/${acme.ws}/portal-sessions`, undefined],
      ["GET", "/v1/workspaces", undefined],
      ["PATCH", `/v1/workspaces/${acme.ws}`, { name: "renamed" }],
      ["GET", `/v1/workspaces/${other.ws}/hooks`, undefined],
      ["POST", `/v1/workspaces/${other.ws}/hooks`, callbackHook()],
    ] as const) {
      const res = await as(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const keys = await api.request("GET", `/v1/workspaces/${acme.ws}/keys`, { key: acme.admin });
    expect(keys.body.data.map((k: { name: string }) => k.name)).not.toContain("escape");
  });

  it("is created by admins and the root key only", async () => {
    expect((await create({ role: "admin" }, api.rootKey)).status).toBe(201);
    expect((await create({ role: "admin" }, acme.operator)).status).toBe(403);
    expect((await create({ role: "admin" }, acme.ingest)).status).toBe(403);
    expect((await create({ role: "admin" }, acme.admin, other.ws)).status).toBe(403);
  });

  it.each([
    ["role", { role: "ingest" }],
    ["role", { role: "root" }],
    ["role", {}],
    ["ttlSeconds", { role: "admin", ttlSeconds: 59 }],
    ["ttlSeconds", { role: "admin", ttlSeconds: 86401 }],
    ["ttlSeconds", { role: "admin", ttlSeconds: 60.5 }],
    ["theme.accentColor", { role: "admin", theme: { accentColor: "red" } }],
    ["theme.accentColor", { role: "admin", theme: { accentColor: "#12345" } }],
    ["theme.logoUrl", { role: "admin", theme: { logoUrl: "javascript:alert(1)" } }],
    ["theme.logoUrl", { role: "admin", theme: { logoUrl: "data:image/png;base64,AAAA" } }],
    ["theme.logoUrl", { role: "admin", theme: { logoUrl: `https://x.example/${"a".repeat(2048)}` } }],
    ["theme.name", { role: "admin", theme: { name: "x".repeat(101) } }],
    ["theme.name", { role: "admin", theme: { name: "a\u0000b" } }],
    ["theme.mode", { role: "admin", theme: { mode: "sepia" } }],
    ["theme.css", { role: "admin", theme: { css: "body{}" } }],
    ["url", { role: "admin", url: "https://evil.example" }],
  ])("refuses a body with a bad %s, naming it", async (field, body) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    // The detail's path, or for an unknown key its message, names the field.
    const named = res.body.error.details.map(
      (d: { path: string; message: string }) => `${d.path} ${d.message}`,
    );
    expect(named.join("; ")).toContain(field.split(".").at(-1));
  });

  it("refuses a malformed exchange without a key, in the envelope", async () => {
    for (const body of [{}, { token: "" }, { token: "x".repeat(201) }, { token: 1 }]) {
      const res = await api.request("POST", "/v1/portal/exchange", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("lets only the configured origins frame /portal; every other page refuses framing", async () => {
    const portal = await api.fetch(new Request("http://test/portal"));
    expect(portal.status).toBe(200);
    const csp = portal.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`frame-ancestors ${ORIGINS.join(" ")};`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(portal.headers.get("x-frame-options")).toBeNull();
    const editor = await api.fetch(new Request("http://test/"));
    expect(editor.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(editor.headers.get("x-frame-options")).toBe("DENY");

    const closed = await startTestApi(target, { portal: { publicUrl: PUBLIC_URL, origins: [] } });
    try {
      const res = await closed.fetch(new Request("http://test/portal"));
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    } finally {
      await closed.close();
    }
  });
});
