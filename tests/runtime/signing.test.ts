// Protects callback signing: Standard Webhooks signatures that the reference `standardwebhooks`
// package accepts (also mid-rotation), and the compatibility HMAC profile byte-for-byte as
// GitHub-style and Ushahidi-style receivers compute it.
import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  type SigningConfig,
  signatureHeaderNames,
  signHmacProfile,
  signRequest,
  signStandardWebhooks,
} from "../../runtime/src/signing";

const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ id: "evt_1", type: "verification", data: { ok: true, name: "Zoë" } });

describe("Standard Webhooks", () => {
  it("matches the published test vector", () => {
    const headers = signStandardWebhooks({
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    });
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("is accepted by the standardwebhooks package", () => {
    const secret = newSecret();
    const headers = signStandardWebhooks({ id: "dlv_1", timestamp: nowSeconds(), body, secrets: [secret] });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("is accepted under both secrets during rotation, current first", () => {
    const current = newSecret();
    const previous = newSecret();
    const headers = signStandardWebhooks({
      id: "dlv_1",
      timestamp: nowSeconds(),
      body,
      secrets: [current, previous],
    });
    const parts = headers["webhook-signature"]?.split(" ") ?? [];
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.startsWith("v1,"))).toBe(true);
    for (const secret of [current, previous])
      expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  it.each([
    { case: "a wrong secret", secret: newSecret(), payload: body },
    { case: "a tampered body", secret: undefined, payload: body.replace("true", "false") },
  ])("is rejected by the package for $case", ({ secret, payload }) => {
    const signer = newSecret();
    const headers = signStandardWebhooks({ id: "dlv_1", timestamp: nowSeconds(), body, secrets: [signer] });
    expect(() => new Webhook(secret ?? signer).verify(payload, headers)).toThrow();
  });
});

describe("compatibility HMAC profile", () => {
  const url = "https://receiver.example/hooks?x=1";
  const secret = "s3cret-shared";
  const hmac = (payload: string, encoding: "hex" | "base64") =>
    createHmac("sha256", secret).update(payload).digest(encoding);

  it.each([
    {
      receiver: "GitHub-style",
      profile: {
        header: "X-Hub-Signature-256",
        payload: "body",
        encoding: "hex",
        prefix: "sha256=",
      } as const,
      expected: { "X-Hub-Signature-256": `sha256=${hmac(body, "hex")}` },
    },
    {
      receiver: "Ushahidi-style",
      profile: {
        header: "X-Ushahidi-Signature",
        payload: "url+body",
        encoding: "base64",
        prefix: "",
      } as const,
      expected: { "X-Ushahidi-Signature": hmac(url + body, "base64") },
    },
  ])("signs like a $receiver receiver expects", ({ profile, expected }) => {
    expect(signHmacProfile({ url, body, secret, ...profile })).toEqual(expected);
  });
});

describe("signRequest", () => {
  const now = new Date("2026-11-22T10:00:00.000Z");
  const input = { id: "dlv_9", now, url: "https://receiver.example/h", body };

  it("uses the injected clock and both secrets for Standard Webhooks", () => {
    const current = newSecret();
    const previous = newSecret();
    const headers = signRequest({ scheme: "standard-webhooks" }, { current, previous }, input);
    expect(headers["webhook-timestamp"]).toBe(String(now.getTime() / 1000));
    expect(headers["webhook-id"]).toBe("dlv_9");
    expect(headers).toEqual(
      signStandardWebhooks({
        id: "dlv_9",
        timestamp: now.getTime() / 1000,
        body,
        secrets: [current, previous],
      }),
    );
  });

  it.each([
    { case: "no previous", previousOf: (_: string) => undefined },
    { case: "a null previous", previousOf: (_: string) => null },
    { case: "an empty previous", previousOf: (_: string) => "" },
    { case: "a previous equal to the current", previousOf: (current: string) => current },
  ])("signs once with $case", ({ previousOf }) => {
    const current = newSecret();
    const headers = signRequest(
      { scheme: "standard-webhooks" },
      { current, previous: previousOf(current) },
      input,
    );
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(1);
  });

  it("signs the hmac profile with the current secret only, even during rotation", () => {
    const config: SigningConfig = {
      scheme: "hmac-sha256",
      header: "X-Hub-Signature-256",
      payload: "body",
      encoding: "hex",
      prefix: "sha256=",
    };
    const headers = signRequest(config, { current: "new", previous: "old" }, input);
    expect(headers).toEqual({
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", "new").update(body).digest("hex")}`,
    });
  });

  it.each([
    { config: { scheme: "standard-webhooks" } as const, names: ["webhook-signature"] },
    {
      config: {
        scheme: "hmac-sha256",
        header: "X-Sig",
        payload: "body",
        encoding: "hex",
        prefix: "",
      } as const,
      names: ["X-Sig"],
    },
  ])("names the secret header of $config.scheme", ({ config, names }) => {
    expect(signatureHeaderNames(config)).toEqual(names);
  });
});
