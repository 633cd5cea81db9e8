// Protects callback delivery end to end against a real loopback receiver: the envelope body, custom
// and signature headers (Standard Webhooks verified by the reference package, compatibility profile
// by hand), the GET query form, outcome mapping (5xx, 410, Retry-After, timeout, redirects not
// followed, 4 KB body cap), log redaction, and refusal of private addresses before any connection.
// Only ever connects to 127.0.0.1.
import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  buildCallbackRequest,
  type CallbackEnvelope,
  type CallbackInput,
  redactHeaders,
  secretHeaderNames,
  sendCallback,
} from "../../runtime/src/callback";
import type { EgressOptions } from "../../runtime/src/egress";

type Received = { method: string; path: string; headers: Record<string, string>; body: string };

let server: http.Server;
let base = "";
let received: Received[] = [];

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function answer(path: string, res: http.ServerResponse): void {
  const status = Number(/^\/status\/(\d{3})$/.exec(path)?.[1] ?? 0);
  if (status === 503) res.writeHead(503, { "retry-after": "7" }).end("busy");
  else if (status) res.writeHead(status).end(`status ${status}`);
  else if (path === "/redirect") res.writeHead(302, { location: `${base}/echo` }).end();
  else if (path === "/big")
    res.end(`a${"é".repeat(3000)}`); // 6001 bytes; the 4 KB cut splits an "é"
  else if (path === "/slow")
    return; // never answers
  else res.writeHead(200, { "x-receiver": "yes" }).end("thanks");
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ method: req.method ?? "", path, headers: flatten(req.headers), body });
      answer(path.split("?")[0] ?? "/", res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  received = [];
});

const LOOPBACK: EgressOptions = { allow: ["127.0.0.1/32"] };
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;

const envelope: CallbackEnvelope = {
  id: "evt_1",
  type: "verification",
  timestamp: "2026-11-22T10:00:00.000Z",
  workspace: "ws_1",
  data: { name: "Ana", count: 3, ok: true, nested: { a: 1 }, list: [1], nothing: null },
  context: { source: "test" },
};

const input = (overrides: Partial<CallbackInput> = {}): CallbackInput => ({
  envelope,
  method: "POST",
  url: `${base}/echo`,
  headers: {},
  signing: { scheme: "standard-webhooks" },
  secrets: { current: SECRET },
  deliveryId: "dlv_1",
  now: new Date(), // the receiving package checks the timestamp against its own clock
  ...overrides,
});

const send = (overrides: Partial<CallbackInput> = {}, timeoutMs = 2000) =>
  sendCallback(LOOPBACK, buildCallbackRequest(input(overrides)), timeoutMs);

describe("POST and PUT", () => {
  it.each(["POST", "PUT"] as const)(
    "%s sends the envelope, custom headers and verifiable signature",
    async (method) => {
      const outcome = await send({
        method,
        headers: { "X-Api-Key": "k-123", "Webhook-Signature": "v1,forged", "User-Agent": "custom/1" },
      });
      expect(outcome).toMatchObject({ outcome: "success", status: 200, responseBody: "thanks", error: null });
      expect(outcome.responseHeaders["x-receiver"]).toBe("yes");
      const [got] = received;
      expect(got?.method).toBe(method);
      expect(JSON.parse(got?.body ?? "")).toEqual(envelope);
      expect(got?.headers["content-type"]).toBe("application/json");
      expect(got?.headers["user-agent"]).toBe("custom/1");
      expect(got?.headers["x-api-key"]).toBe("k-123");
      expect(got?.headers["webhook-id"]).toBe("dlv_1");
      // Our signature replaced the custom header of the same name, so the receiver's check passes.
      expect(() => new Webhook(SECRET).verify(got?.body ?? "", got?.headers ?? {})).not.toThrow();
    },
  );

  it("is verifiable with either secret during rotation", async () => {
    const previous = `whsec_${randomBytes(24).toString("base64")}`;
    await send({ secrets: { current: SECRET, previous } });
    const [got] = received;
    for (const secret of [SECRET, previous]) {
      expect(() => new Webhook(secret).verify(got?.body ?? "", got?.headers ?? {})).not.toThrow();
    }
  });
});

describe("GET", () => {
  it("carries the event as query parameters, signed over the final URL and an empty body", async () => {
    const profileSecret = "shared-secret";
    const request = buildCallbackRequest(
      input({
        method: "GET",
        url: `${base}/echo?token=abc&event_type=spoof`,
        envelope: { ...envelope, data: { ...(envelope.data as object), token: "evil", event_id: "evil" } },
        signing: {
          scheme: "hmac-sha256",
          header: "X-Ushahidi-Signature",
          payload: "url+body",
          encoding: "base64",
          prefix: "",
        },
        secrets: { current: profileSecret },
      }),
    );
    const outcome = await sendCallback(LOOPBACK, request, 2000);
    expect(outcome.outcome).toBe("success");
    const [got] = received;
    expect(got?.method).toBe("GET");
    expect(got?.body).toBe("");
    expect(got?.headers["content-type"]).toBeUndefined();
    const query = Object.fromEntries(new URL(got?.path ?? "", base).searchParams);
    expect(query).toEqual({
      token: "abc",
      event_type: "verification",
      event_id: "evt_1",
      timestamp: envelope.timestamp,
      name: "Ana",
      count: "3",
      ok: "true",
    });
    const expected = createHmac("sha256", profileSecret).update(`${base}${got?.path}`).digest("base64");
    expect(got?.headers["x-ushahidi-signature"]).toBe(expected);
  });
});

describe("outcomes", () => {
  it.each([
    { path: "/status/500", outcome: "http_error", status: 500, retryAfterMs: null },
    { path: "/status/404", outcome: "http_error", status: 404, retryAfterMs: null },
    { path: "/status/410", outcome: "gone", status: 410, retryAfterMs: null },
    { path: "/status/503", outcome: "http_error", status: 503, retryAfterMs: 7000 },
    { path: "/status/204", outcome: "success", status: 204, retryAfterMs: null },
  ])("$path is $outcome", async ({ path, outcome, status, retryAfterMs }) => {
    const result = await send({ url: `${base}${path}` });
    expect(result).toMatchObject({ outcome, status, retryAfterMs });
    expect(result.error === null).toBe(outcome === "success" || outcome === "gone");
  });

  it("does not follow a redirect", async () => {
    const result = await send({ url: `${base}/redirect` });
    expect(result).toMatchObject({ outcome: "http_error", status: 302 });
    expect(result.error).toContain("redirect");
    expect(received.map((r) => r.path)).toEqual(["/redirect"]);
  });

  it("times out on a slow receiver", async () => {
    const result = await send({ url: `${base}/slow` }, 300);
    expect(result).toMatchObject({ outcome: "timeout", status: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2000);
    server.closeAllConnections();
  });

  it("keeps the first 4 KB of a large body without splitting a character", async () => {
    const result = await send({ url: `${base}/big` });
    expect(result).toMatchObject({ outcome: "success", bodyTruncated: true });
    expect(Buffer.byteLength(result.responseBody)).toBe(4095);
    expect(result.responseBody).toBe(`a${"é".repeat(2047)}`);
  });

  it("reports a refused connection as a network error", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await send({ url: `http://127.0.0.1:${port}/` });
    expect(result).toMatchObject({ outcome: "network_error", status: null });
    expect(result.error).toBeTruthy();
  });
});

describe("private addresses", () => {
  const emits = vi.spyOn(net.Socket.prototype, "emit");

  it.each([
    { url: "http://internal.example.test/hook", address: "10.0.0.1" },
    { url: "http://metadata.example.test/latest/meta-data/", address: "169.254.169.254" },
    { url: "http://169.254.169.254/latest/meta-data/", address: "169.254.169.254" },
  ])("$url ($address) is blocked without connecting", async ({ url, address }) => {
    emits.mockClear();
    const egress: EgressOptions = { allow: ["127.0.0.1/32"], resolve: async () => [{ address, family: 4 }] };
    const result = await sendCallback(egress, buildCallbackRequest(input({ url })), 2000);
    expect(result).toMatchObject({ outcome: "blocked", status: null });
    expect(result.error).toContain(address);
    expect(emits.mock.calls.some(([event]) => String(event) === "connect")).toBe(false);
  });

  it("would have seen a connection (the spy works)", async () => {
    emits.mockClear();
    // Fresh options, so a fresh keep-alive pool: this request must open a new connection.
    await sendCallback({ allow: ["127.0.0.1/32"] }, buildCallbackRequest(input()), 2000);
    expect(emits.mock.calls.some(([event]) => String(event) === "connect")).toBe(true);
  });
});

describe("connection reuse", () => {
  it("reuses a kept-alive connection to the same receiver under the same options", async () => {
    const emits = vi.spyOn(net.Socket.prototype, "emit");
    const egress: EgressOptions = { allow: ["127.0.0.1/32"] };
    const connects = () => emits.mock.calls.filter(([event]) => String(event) === "connect").length;
    emits.mockClear();
    for (let i = 0; i < 3; i++)
      expect((await sendCallback(egress, buildCallbackRequest(input()), 2000)).outcome).toBe("success");
    expect(connects()).toBe(1);
    emits.mockRestore();
  });

  it("never reuses one workspace's connection for another's callbacks", async () => {
    const emits = vi.spyOn(net.Socket.prototype, "emit");
    const egress: EgressOptions = { allow: ["127.0.0.1/32"] };
    const connects = () => emits.mock.calls.filter(([event]) => String(event) === "connect").length;
    emits.mockClear();
    for (const pool of ["ws_a", "ws_b", "ws_a", "ws_b"])
      expect((await sendCallback(egress, buildCallbackRequest(input()), 2000, pool)).outcome).toBe("success");
    expect(connects()).toBe(2);
    emits.mockRestore();
  });
});

describe("redaction for the execution log", () => {
  it("hides custom and signature header values, case-insensitively", () => {
    const custom = { "X-Api-Key": "k-123" };
    const signing = {
      scheme: "hmac-sha256",
      header: "X-Hub-Signature-256",
      payload: "body",
      encoding: "hex",
      prefix: "sha256=",
    } as const;
    const request = buildCallbackRequest(input({ headers: custom, signing, secrets: { current: "s" } }));
    const redacted = redactHeaders(request.headers, secretHeaderNames(custom, signing));
    expect(redacted).toEqual({
      "user-agent": "hookrun/0.1",
      "content-type": "application/json",
      "x-api-key": "[redacted]",
      "x-hub-signature-256": "[redacted]",
    });
  });

  it("keeps webhook-id and webhook-timestamp, hides webhook-signature", () => {
    const request = buildCallbackRequest(input());
    const redacted = redactHeaders(request.headers, secretHeaderNames({}, { scheme: "standard-webhooks" }));
    expect(redacted["webhook-signature"]).toBe("[redacted]");
    expect(redacted["webhook-id"]).toBe("dlv_1");
    expect(redacted["webhook-timestamp"]).toMatch(/^\d+$/);
  });
});

describe("building", () => {
  it("drops framing headers a custom header could corrupt", () => {
    const request = buildCallbackRequest(
      input({ headers: { "Content-Length": "1", Host: "evil.example", "Transfer-Encoding": "chunked" } }),
    );
    expect(Object.keys(request.headers).sort()).toEqual(
      ["content-type", "user-agent", "webhook-id", "webhook-signature", "webhook-timestamp"].sort(),
    );
  });

  it("signs with the injected clock", () => {
    const now = new Date("2026-11-22T10:00:00.000Z");
    expect(buildCallbackRequest(input({ now })).headers["webhook-timestamp"]).toBe(
      String(now.getTime() / 1000),
    );
  });
});
