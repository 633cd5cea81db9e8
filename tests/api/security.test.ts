// Protects the security primitives: sealed secrets only open where they were sealed, random ids,
// key hashing.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newId } from "../../api/src/ids";
import { generateApiKey, hashApiKey, sameHash } from "../../api/src/security/api-keys";
import { createSecretBox } from "../../api/src/security/secret-box";

describe("secret box", () => {
  const box = createSecretBox(randomBytes(32));

  it("round-trips and never repeats a ciphertext", () => {
    const a = box.seal("token", "hook:1:headers");
    expect(a).not.toBe(box.seal("token", "hook:1:headers"));
    expect(a).not.toContain("token");
    expect(box.open(a, "hook:1:headers")).toBe("token");
  });

  it("refuses a ciphertext moved to another hook or field, even once opened where it belongs", () => {
    const sealed = box.seal("token", "hook:1:headers");
    expect(box.open(sealed, "hook:1:headers")).toBe("token");
    expect(() => box.open(sealed, "hook:2:headers")).toThrow();
    expect(() => box.open(sealed, "hook:1:secrets")).toThrow();
  });

  it("refuses a tampered ciphertext and another key's ciphertext", () => {
    const sealed = box.seal("token", "c");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString("base64")}`, "c")).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, "c")).toThrow();
  });
});

describe("resource ids", () => {
  it("are a prefix and 20 base-32 characters, unique across refills of the random pool", () => {
    const ids = Array.from({ length: 2_000 }, () => newId("evt"));
    for (const id of ids) expect(id).toMatch(/^evt_[0-9a-hjkmnp-tv-z]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("api keys", () => {
  it("are long, random and stored as SHA-256", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^hr_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(sameHash(hashApiKey(key), hashApiKey(key))).toBe(true);
    expect(sameHash(hashApiKey(key), hashApiKey(`${key}x`))).toBe(false);
    expect(sameHash(hashApiKey(key), "abc")).toBe(false);
  });
});
