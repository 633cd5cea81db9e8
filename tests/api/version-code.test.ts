// Protects invoke's copy of deployed code (services/version-code.ts): a version is read from the
// database once and then served from memory (versions never change once written), each version of
// a hook by itself, on both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { versionCode } from "../../api/src/services/version-code";
import { functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("deployed code in memory on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterAll(() => api.close());

  it("reads a version once, then answers from memory; another version is read by itself", async () => {
    const created = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: functionHook({ source: "export default () => ({ v: 1 })" }),
    });
    expect(created.status).toBe(201);
    const hookId = created.body.id as string;
    const first = await versionCode(api.db, hookId, 1);
    expect(first.code.length).toBeGreaterThan(0);

    // No API changes a written version; changing the row behind the service's back shows that the
    // second read did not go to the database.
    await api.db
      .updateTable("function_versions")
      .set({ code: "changed" })
      .where("hook_id", "=", hookId)
      .execute();
    expect((await versionCode(api.db, hookId, 1)).code).toBe(first.code);

    const source = "export default () => ({ v: 2 })";
    const base = `/v1/workspaces/${acme.ws}/hooks/${hookId}`;
    expect((await api.request("PUT", `${base}/source`, { key: acme.admin, body: { source } })).status).toBe(
      200,
    );
    expect((await api.request("POST", `${base}/deploy`, { key: acme.admin, body: {} })).status).toBe(200);
    const second = await versionCode(api.db, hookId, 2);
    expect(second.id).not.toBe(first.id);
    expect(second.code).not.toBe(first.code);
  });
});
