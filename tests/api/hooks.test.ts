// Protects the hook registry: both kinds round-trip every field, secrets are encrypted at rest and
// masked when read, signing secrets are generated, revealed and rotated, functions deploy and roll back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("hooks on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  const path = (suffix = "") => `/v1/workspaces/${acme.ws}/hooks${suffix}`;
  const admin = (method: string, suffix: string, body?: unknown) =>
    api.request(method, path(suffix), { key: acme.admin, body });

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterAll(() => api.close());

  it("creates a callback hook with defaults a user can rely on", async () => {
    const res = await admin("POST", "", callbackHook({ name: "crm" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: "callback",
      name: "crm",
      description: "",
      events: ["verification"],
      enabled: true,
      disabledReason: null,
      retry: { maxAttempts: 8 },
      method: "POST",
      urls: ["https://receiver.example.com/hooks"],
      disabledUrls: [],
      headers: {},
      timeoutMs: 10000,
      signing: { scheme: "standard-webhooks", rotatingUntil: null },
    });
    expect(res.body.id).toMatch(/^hk_[0-9a-z]{20}$/);
    expect(res.body.signing.secret).toMatch(/^••••/);
  });

  it("keeps every callback field of the seeds: GET with several URLs, API key header, compatibility signing", async () => {
    const res = await admin(
      "POST",
      "",
      callbackHook({
        name: "ushahidi",
        description: "seed 003/004",
        events: ["verification", "manual_verification"],
        method: "GET",
        urls: ["https://a.example/one", "http://b.example:8080/two?x=1"],
        headers: { "X-Api-Key": "sk_live_1234567890abcdef" },
        timeoutMs: 10000,
        signing: {
          scheme: "hmac-sha256",
          header: "X-Ushahidi-Signature",
          payload: "url+body",
          encoding: "base64",
          secret: "shared-secret-1",
        },
        retry: { maxAttempts: 3 },
        enabled: false,
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      method: "GET",
      urls: ["https://a.example/one", "http://b.example:8080/two?x=1"],
      headers: { "x-api-key": "••••cdef" },
      enabled: false,
      retry: { maxAttempts: 3 },
      signing: {
        scheme: "hmac-sha256",
        header: "X-Ushahidi-Signature",
        payload: "url+body",
        encoding: "base64",
        prefix: "",
      },
    });
    expect(res.body.signing.secret).not.toContain("shared-secret-1");
    const fetched = await admin("GET", `/${res.body.id}`);
    expect(fetched.body).toEqual(res.body);
  });

  it("encrypts header values, signing secrets and function secrets at rest", async () => {
    const cb = await admin(
      "POST",
      "",
      callbackHook({ headers: { authorization: "Bearer plaintext-header-value" } }),
    );
    const fn = await admin("POST", "", functionHook({ secrets: { CRM_TOKEN: "plaintext-function-secret" } }));
    const rows = await api.db
      .selectFrom("hooks")
      .selectAll()
      .where("id", "in", [cb.body.id, fn.body.id])
      .execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain("plaintext-header-value");
    expect(stored).not.toContain("plaintext-function-secret");
    expect(stored).not.toContain("whsec_");
    expect(rows.find((r) => r.id === cb.body.id)?.headers_enc).toMatch(/^v1:/);
    expect(fn.body.secrets).toEqual({ CRM_TOKEN: "••••cret" });
  });

  it("reveals and rotates the signing secret, keeping the old one during the grace period", async () => {
    const cb = await admin("POST", "", callbackHook());
    const revealed = await admin("GET", `/${cb.body.id}/signing-secret`);
    expect(revealed.body).toEqual({
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
      previousSecret: null,
      previousExpiresAt: null,
    });
    expect(cb.body.signing.secret).toBe(`••••${revealed.body.secret.slice(-4)}`);

    const rotated = await admin("POST", `/${cb.body.id}/signing-secret/rotate`, { graceSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(revealed.body.secret);
    expect(rotated.body.previousSecret).toBe(revealed.body.secret);
    expect(Date.parse(rotated.body.previousExpiresAt)).toBeGreaterThan(Date.now() + 3500_000);
    expect((await admin("GET", `/${cb.body.id}`)).body.signing.rotatingUntil).toBe(
      rotated.body.previousExpiresAt,
    );

    const immediate = await admin("POST", `/${cb.body.id}/signing-secret/rotate`, {
      secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAA",
      graceSeconds: 0,
    });
    expect(immediate.body).toEqual({
      secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAA",
      previousSecret: null,
      previousExpiresAt: null,
    });
  });

  it("merges headers and secrets on PATCH: a value sets, null removes, others stay", async () => {
    const cb = await admin(
      "POST",
      "",
      callbackHook({ headers: { "x-one": "first-value-1234", "x-two": "second-value-5678" } }),
    );
    const patched = await admin("PATCH", `/${cb.body.id}`, {
      headers: { "x-one": null, "X-Three": "third-value-9012" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.headers).toEqual({ "x-two": "••••5678", "x-three": "••••9012" });

    const fn = await admin("POST", "", functionHook({ secrets: { A: "aaaaaaaaaaaaaaaa1111", B: "b" } }));
    const fnPatched = await admin("PATCH", `/${fn.body.id}`, { secrets: { B: null, C: "c" } });
    expect(fnPatched.body.secrets).toEqual({ A: "••••1111", C: "••••••••" });
  });

  it("updates every common and callback field, and re-enabling clears the disabled reason", async () => {
    const cb = await admin("POST", "", callbackHook());
    const patched = await admin("PATCH", `/${cb.body.id}`, {
      name: "renamed",
      description: "now described",
      events: ["*"],
      enabled: false,
      retry: { maxAttempts: 2 },
      method: "PUT",
      urls: ["https://new.example/x"],
      timeoutMs: 5000,
    });
    expect(patched.body).toMatchObject({
      name: "renamed",
      description: "now described",
      events: ["*"],
      enabled: false,
      disabledReason: "disabled by a user",
      retry: { maxAttempts: 2 },
      method: "PUT",
      urls: ["https://new.example/x"],
      timeoutMs: 5000,
    });
    const enabled = await admin("PATCH", `/${cb.body.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it("accepts event patterns without a catalog entry, and lists with filters", async () => {
    const res = await admin("POST", "", callbackHook({ events: ["insight.*"] }));
    expect(res.status).toBe(201);
    const fns = await admin("GET", "?kind=function");
    expect(fns.body.data.every((h: { kind: string }) => h.kind === "function")).toBe(true);
    const disabled = await admin("GET", "?enabled=false");
    expect(disabled.body.data.every((h: { enabled: boolean }) => !h.enabled)).toBe(true);
  });

  it("creates a function hook with a template draft and no live version when no source is given", async () => {
    const res = await admin("POST", "", functionHook());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: "function",
      liveVersion: null,
      limits: { memoryMb: 64, timeoutMs: 10000, cpuMs: 1000 },
      secrets: {},
    });
    // Typed for the editor's IntelliSense (the types are declared there; esbuild strips them)...
    expect(res.body.source).toContain("export default async function (event: HookEvent, ctx: HookContext)");
    // ...and deployable as it is.
    const deployed = await admin("POST", `/${res.body.id}/deploy`, {});
    expect(deployed.status).toBe(200);
    expect(deployed.body).toMatchObject({ version: 1, live: true, source: res.body.source });
  });

  it("saves drafts, deploys versions, lists history and rolls back", async () => {
    const created = await admin(
      "POST",
      "",
      functionHook({
        source: "export default () => 1",
        limits: { memoryMb: 32, timeoutMs: 2000, cpuMs: 500 },
      }),
    );
    expect(created.body).toMatchObject({
      liveVersion: 1,
      limits: { memoryMb: 32, timeoutMs: 2000, cpuMs: 500 },
    });
    const id = created.body.id;

    const bad = await admin("PUT", `/${id}/source`, { source: "export default () => {" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]).toMatchObject({
      line: 1,
      column: expect.any(Number),
      message: expect.any(String),
    });
    expect((await admin("GET", `/${id}`)).body.source).toBe("export default () => 1");

    const saved = await admin("PUT", `/${id}/source`, {
      source: "export default (e: { id: string }) => e.id",
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      liveVersion: 1,
      source: "export default (e: { id: string }) => e.id",
    });

    const deployed = await admin("POST", `/${id}/deploy`, {});
    expect(deployed.body).toMatchObject({ version: 2, live: true });
    // The same draft again: the live version answers, no duplicate is made.
    const again = await admin("POST", `/${id}/deploy`, {});
    expect(again.status).toBe(200);
    expect(again.body).toEqual(deployed.body);
    const history = await admin("GET", `/${id}/versions`);
    expect(history.body.data.map((v: { version: number; live: boolean }) => [v.version, v.live])).toEqual([
      [2, true],
      [1, false],
    ]);

    const rolledBack = await admin("POST", `/${id}/deploy`, { version: 1 });
    expect(rolledBack.body).toMatchObject({ version: 1, live: true, source: "export default () => 1" });
    expect((await admin("GET", `/${id}`)).body.liveVersion).toBe(1);
    expect((await admin("POST", `/${id}/deploy`, { version: 9 })).status).toBe(404);

    const limits = await admin("PATCH", `/${id}`, { limits: { cpuMs: 3000 } });
    expect(limits.status).toBe(422);
  });

  it("refuses function routes on a callback hook and signing routes on a function hook", async () => {
    const cb = await admin("POST", "", callbackHook());
    const fn = await admin("POST", "", functionHook());
    expect((await admin("POST", `/${cb.body.id}/deploy`, {})).status).toBe(422);
    expect((await admin("GET", `/${fn.body.id}/signing-secret`)).status).toBe(422);
  });

  it("deletes a hook: gone from reads, its name free again, its pending deliveries canceled", async () => {
    const cb = await admin("POST", "", callbackHook({ name: "short-lived" }));
    const event = { id: "evt_test1", workspace_id: acme.ws, type: "verification", data: "{}" };
    await api.db.insertInto("events").values(event).execute();
    await api.db
      .insertInto("deliveries")
      .values({
        id: "dlv_test1",
        workspace_id: acme.ws,
        event_id: event.id,
        hook_id: cb.body.id,
        target: "https://receiver.example.com/hooks",
        status: "pending",
      })
      .execute();

    expect((await admin("DELETE", `/${cb.body.id}`)).status).toBe(204);
    expect((await admin("GET", `/${cb.body.id}`)).status).toBe(404);
    expect((await admin("PATCH", `/${cb.body.id}`, { enabled: true })).status).toBe(404);
    expect((await admin("DELETE", `/${cb.body.id}`)).status).toBe(404);
    const delivery = await api.db
      .selectFrom("deliveries")
      .selectAll()
      .where("id", "=", "dlv_test1")
      .executeTakeFirstOrThrow();
    expect(delivery.status).toBe("canceled");
    expect((await admin("POST", "", callbackHook({ name: "short-lived" }))).status).toBe(201);
  });

  it("refuses to delete an event type a hook subscribes to, naming the hook", async () => {
    await api.request("POST", `/v1/workspaces/${acme.ws}/event-types`, {
      key: acme.admin,
      body: { name: "order.paid" },
    });
    await admin("POST", "", callbackHook({ name: "orders", events: ["order.paid"] }));
    const res = await api.request("DELETE", `/v1/workspaces/${acme.ws}/event-types/order.paid`, {
      key: acme.admin,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([{ path: "hooks", message: "orders" }]);
  });
});
