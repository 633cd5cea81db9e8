// Protects the start-up check of the encryption key on both databases: the key that sealed this
// database's secrets passes, another is refused, and a database from before the check (secrets but
// no check value) is judged by one of its sealed secrets, so an upgrade cannot adopt a wrong key.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEncryptionKey, WrongEncryptionKey } from "../../api/src/security/key-check";
import { createSecretBox } from "../../api/src/security/secret-box";
import { callbackHook, startTestApi, type TestApi } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("the encryption key check on $name", (target) => {
  const key = randomBytes(32);
  const other = createSecretBox(randomBytes(32));
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(target, { encryptionKey: key });
    const acme = await api.workspace("acme");
    const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: { ...callbackHook(), headers: { "x-api-key": "sealed-with-the-key" } },
    });
    expect(hook.status).toBe(201);
  });
  afterAll(() => api.close());

  it("judges a database without a check value by its secrets, then keeps one", async () => {
    await api.db.deleteFrom("hookrun_meta").execute();
    await expect(checkEncryptionKey(api.db, other)).rejects.toBeInstanceOf(WrongEncryptionKey);
    expect(await api.db.selectFrom("hookrun_meta").selectAll().execute()).toEqual([]);
    await checkEncryptionKey(api.db, createSecretBox(key));
    expect(await api.db.selectFrom("hookrun_meta").select("name").execute()).toEqual([
      { name: "encryption_key_check" },
    ]);
  });

  it("passes the right key and refuses another, naming HOOKRUN_ENCRYPTION_KEY", async () => {
    await checkEncryptionKey(api.db, createSecretBox(key));
    await expect(checkEncryptionKey(api.db, other)).rejects.toThrow(/^HOOKRUN_ENCRYPTION_KEY is not the key/);
  });

  it("agrees with itself when several processes check a fresh database at once", async () => {
    await api.db.deleteFrom("hookrun_meta").execute();
    const box = createSecretBox(key);
    await Promise.all([1, 2, 3].map(() => checkEncryptionKey(api.db, box)));
    await expect(checkEncryptionKey(api.db, other)).rejects.toBeInstanceOf(WrongEncryptionKey);
  });
});
