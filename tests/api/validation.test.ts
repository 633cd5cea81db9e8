// Protects the API's edges: every kind of bad input gets a clear 4xx in the one error envelope,
// naming the offending field, and never a 500 (the test client fails any 5xx outright).
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESERVED_HEADERS } from "../../api/src/schemas/hook-rules";
import { UNSENDABLE_HEADERS } from "../../runtime/src/index";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("input validation on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  const hooks = () => `/v1/workspaces/${acme.ws}/hooks`;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterAll(() => api.close());

  // [label, body, status, code, path of the first detail (or null)]
  const hookCases: [string, unknown, number, string, string | null][] = [
    [
      "no kind",
      { name: "x", events: ["verification"], urls: ["https://a.example"] },
      400,
      "validation_failed",
      "kind",
    ],
    ["an unknown kind", callbackHook({ kind: "email" }), 400, "validation_failed", "kind"],
    ["an empty name", callbackHook({ name: "" }), 400, "validation_failed", "name"],
    ["a name of 101 characters", callbackHook({ name: "n".repeat(101) }), 400, "validation_failed", "name"],
    ["a name with a newline", callbackHook({ name: "a\nb" }), 400, "validation_failed", "name"],
    ["no events", callbackHook({ events: [] }), 400, "validation_failed", "events"],
    [
      "a malformed event pattern",
      callbackHook({ events: ["in*sight"] }),
      400,
      "validation_failed",
      "events.0",
    ],
    ["an event not in the catalog", callbackHook({ events: ["nope"] }), 422, "unprocessable", "events"],
    ["no URLs", callbackHook({ urls: [] }), 400, "validation_failed", "urls"],
    [
      "eleven URLs",
      callbackHook({ urls: Array.from({ length: 11 }, (_, i) => `https://h${i}.example`) }),
      400,
      "validation_failed",
      "urls",
    ],
    [
      "a repeated URL",
      callbackHook({ urls: ["https://a.example/x", "https://a.example/x"] }),
      400,
      "validation_failed",
      "urls",
    ],
    ["a rate under 0.1 a second", callbackHook({ rateLimit: 0.05 }), 400, "validation_failed", "rateLimit"],
    [
      "a rate over 10,000 a second",
      callbackHook({ rateLimit: 20_000 }),
      400,
      "validation_failed",
      "rateLimit",
    ],
    [
      "a rate that is not a number",
      callbackHook({ rateLimit: "fast" }),
      400,
      "validation_failed",
      "rateLimit",
    ],
    ["fifo that is not a boolean", callbackHook({ fifo: "yes" }), 400, "validation_failed", "fifo"],
    [
      "a breaker threshold of 0",
      callbackHook({ breaker: { failures: 0 } }),
      400,
      "validation_failed",
      "breaker.failures",
    ],
    [
      "a fractional breaker threshold",
      callbackHook({ breaker: { failures: 2.5 } }),
      400,
      "validation_failed",
      "breaker.failures",
    ],
    ["an ftp URL", callbackHook({ urls: ["ftp://a.example/x"] }), 400, "validation_failed", "urls.0"],
    [
      "a javascript: URL",
      callbackHook({ urls: ["javascript:alert(1)"] }),
      400,
      "validation_failed",
      "urls.0",
    ],
    ["a relative URL", callbackHook({ urls: ["/hooks"] }), 400, "validation_failed", "urls.0"],
    [
      "a URL with credentials",
      callbackHook({ urls: ["https://user:pw@a.example/"] }),
      400,
      "validation_failed",
      "urls.0",
    ],
    ["method DELETE", callbackHook({ method: "DELETE" }), 400, "validation_failed", "method"],
    [
      "a header name with a space",
      callbackHook({ headers: { "X Key": "v" } }),
      400,
      "validation_failed",
      "headers.X Key",
    ],
    [
      "a header value with CRLF",
      callbackHook({ headers: { "x-key": "a\r\nInjected: 1" } }),
      400,
      "validation_failed",
      "headers.x-key",
    ],
    [
      "a reserved header",
      callbackHook({ headers: { Host: "evil.example" } }),
      400,
      "validation_failed",
      "headers.Host",
    ],
    [
      "a signature header we set",
      callbackHook({ headers: { "webhook-signature": "v1,x" } }),
      400,
      "validation_failed",
      "headers.webhook-signature",
    ],
    ["a timeout of 30001 ms", callbackHook({ timeoutMs: 30001 }), 400, "validation_failed", "timeoutMs"],
    ["a timeout of 0", callbackHook({ timeoutMs: 0 }), 400, "validation_failed", "timeoutMs"],
    [
      "a non-whsec standard secret",
      callbackHook({ signing: { scheme: "standard-webhooks", secret: "plain" } }),
      400,
      "validation_failed",
      "signing.secret",
    ],
    [
      "an unknown signing scheme",
      callbackHook({ signing: { scheme: "md5" } }),
      400,
      "validation_failed",
      "signing.scheme",
    ],
    [
      "an hmac profile without header",
      callbackHook({ signing: { scheme: "hmac-sha256" } }),
      400,
      "validation_failed",
      "signing.header",
    ],
    [
      "an hmac encoding of base32",
      callbackHook({ signing: { scheme: "hmac-sha256", header: "X-Sig", encoding: "base32" } }),
      400,
      "validation_failed",
      "signing.encoding",
    ],
    [
      "zero max attempts",
      callbackHook({ retry: { maxAttempts: 0 } }),
      400,
      "validation_failed",
      "retry.maxAttempts",
    ],
    ["an unknown field", callbackHook({ colour: "red" }), 400, "validation_failed", ""],
    [
      "function fields on a callback",
      callbackHook({ source: "export default () => 1" }),
      400,
      "validation_failed",
      "",
    ],
    [
      "memory of 4 MB",
      functionHook({ limits: { memoryMb: 4 } }),
      400,
      "validation_failed",
      "limits.memoryMb",
    ],
    [
      "memory of 129 MB",
      functionHook({ limits: { memoryMb: 129 } }),
      400,
      "validation_failed",
      "limits.memoryMb",
    ],
    [
      "a wall timeout of 30001 ms",
      functionHook({ limits: { timeoutMs: 30001 } }),
      400,
      "validation_failed",
      "limits.timeoutMs",
    ],
    [
      "cpu above the wall timeout",
      functionHook({ limits: { timeoutMs: 1000, cpuMs: 2000 } }),
      400,
      "validation_failed",
      "limits.cpuMs",
    ],
    [
      "a secret name with a dash",
      functionHook({ secrets: { "MY-TOKEN": "x" } }),
      400,
      "validation_failed",
      "secrets.MY-TOKEN",
    ],
    [
      "a source of 300 KiB",
      functionHook({ source: "/*".padEnd(300 * 1024, "x") }),
      400,
      "validation_failed",
      "source",
    ],
    [
      "a source that does not compile",
      functionHook({ source: "export default function (" }),
      422,
      "unprocessable",
      "",
    ],
    [
      "a source without default export",
      functionHook({ source: "export const x = 1;" }),
      422,
      "unprocessable",
      "",
    ],
  ];

  it.each(hookCases)("refuses a hook with %s", async (_label, body, status, code, path) => {
    const res = await api.request("POST", hooks(), { key: acme.admin, body });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(5);
    expect(res.body.error.requestId).toBeTruthy();
    if (path) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it("gives line and column for a function that does not compile", async () => {
    const res = await api.request("POST", hooks(), {
      key: acme.admin,
      body: functionHook({ source: "export default async function (event) {\n  return event.;\n}\n" }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ line: 2, column: expect.any(Number) });
  });

  it.each([
    ["malformed JSON", '{"kind": ', 400, "malformed_json"],
    ["a JSON array", "[]", 400, "validation_failed"],
    ["an empty body", "", 400, "malformed_json"],
  ])("refuses %s", async (_label, rawBody, status, code) => {
    const res = await api.request("POST", hooks(), {
      key: acme.admin,
      rawBody,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it("refuses a body without a JSON content type", async () => {
    const res = await api.request("POST", hooks(), {
      key: acme.admin,
      rawBody: JSON.stringify(callbackHook()),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
  });

  it("answers 413 for a body over the size limit, before parsing it", async () => {
    const res = await api.request("POST", hooks(), {
      key: acme.admin,
      body: callbackHook({ description: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("answers 413 over real HTTP, whether the length is declared or the body is chunked", async () => {
    await api.request("POST", `/v1/workspaces/${acme.ws}/event-types`, {
      key: acme.admin,
      body: { name: "size.check" },
    });
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: api.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server));
    });
    const { port } = server.address() as AddressInfo;
    // node:http sends Content-Length for a string body and chunked encoding for a stream.
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`http://127.0.0.1:${port}/v1/workspaces/${acme.ws}/events`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${acme.ingest}`,
            "content-type": "application/json",
            ...(chunked ? {} : { "content-length": String(Buffer.byteLength(body)) }),
          },
        });
        req.on("error", reject);
        req.on("response", (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        if (chunked) Readable.from([body.slice(0, 1000), body.slice(1000)]).pipe(req);
        else req.end(body);
      });
    try {
      const big = JSON.stringify({ type: "size.check", data: "x".repeat(300_000) });
      const small = JSON.stringify({ type: "size.check", data: "x".repeat(2_000) });
      for (const chunked of [false, true]) {
        const refused = await post(big, chunked);
        expect(refused.status).toBe(413);
        expect(JSON.parse(refused.body).error.code).toBe("payload_too_large");
        expect((await post(small, chunked)).status).toBe(202);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.each([
    ["an unknown route", "GET", "/v1/nothing-here", 404],
    ["an unknown hook", "GET", "/v1/workspaces/:ws/hooks/hk_missing", 404],
    ["a non-numeric limit", "GET", "/v1/workspaces?limit=ten", 400],
    ["a limit above 200", "GET", "/v1/workspaces?limit=500", 400],
    ["a forged cursor", "GET", "/v1/workspaces?cursor=bm90LWEtY3Vyc29y", 422],
    ["a bad enabled filter", "GET", "/v1/workspaces/:ws/hooks?enabled=maybe", 400],
  ])("answers %s with %i in the envelope", async (_label, method, template, status) => {
    const key = template.includes(":ws") ? acme.admin : api.rootKey;
    const res = await api.request(method, template.replace(":ws", acme.ws), { key });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toEqual(expect.any(String));
  });

  it.each([
    ["a duplicate workspace name", "POST", "/v1/workspaces", { name: "acme" }, 409],
    ["a workspace without name", "POST", "/v1/workspaces", {}, 400],
    ["a key with role root", "POST", "/v1/workspaces/:ws/keys", { name: "r", role: "root" }, 400],
    ["an event type with a space", "POST", "/v1/workspaces/:ws/event-types", { name: "a b" }, 400],
    ["a duplicate event type", "POST", "/v1/workspaces/:ws/event-types", { name: "verification" }, 409],
    [
      "an invalid JSON Schema",
      "POST",
      "/v1/workspaces/:ws/event-types",
      { name: "bad.schema", schema: { type: "nonsense" } },
      422,
    ],
    [
      "an example that breaks its schema",
      "POST",
      "/v1/workspaces/:ws/event-types",
      { name: "typed", schema: { type: "object", required: ["id"] }, example: { other: 1 } },
      422,
    ],
  ])("refuses %s", async (_label, method, template, body, status) => {
    const res = await api.request(method, template.replace(":ws", acme.ws), { key: api.rootKey, body });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.requestId).toBeTruthy();
  });

  it("refuses PATCH fields that belong to the other kind, naming them", async () => {
    const created = await api.request("POST", hooks(), { key: acme.admin, body: callbackHook() });
    const res = await api.request("PATCH", `${hooks()}/${created.body.id}`, {
      key: acme.admin,
      body: { limits: { memoryMb: 32 }, secrets: { A: "b" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["limits", "secrets"]);
  });

  it("refuses FIFO and a breaker on a function hook, which has no URLs", async () => {
    const created = await api.request("POST", hooks(), {
      key: acme.admin,
      body: { kind: "function", name: "no-urls", events: ["verification"], fifo: true },
    });
    expect(created.status).toBe(400);
    const fn = await api.request("POST", hooks(), {
      key: acme.admin,
      body: { kind: "function", name: "no-urls", events: ["verification"], rateLimit: 3 },
    });
    expect(fn.status, JSON.stringify(fn.body)).toBe(201);
    expect(fn.body.rateLimit).toBe(3);
    const res = await api.request("PATCH", `${hooks()}/${fn.body.id}`, {
      key: acme.admin,
      body: { fifo: true, breaker: { failures: 3 } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["breaker", "fifo"]);
  });

  it("refuses a duplicate hook name with 409, also on rename", async () => {
    const first = await api.request("POST", hooks(), {
      key: acme.admin,
      body: callbackHook({ name: "unique-one" }),
    });
    expect(first.status).toBe(201);
    const again = await api.request("POST", hooks(), {
      key: acme.admin,
      body: functionHook({ name: "unique-one" }),
    });
    expect(again.status).toBe(409);
    const other = await api.request("POST", hooks(), { key: acme.admin, body: callbackHook() });
    const rename = await api.request("PATCH", `${hooks()}/${other.body.id}`, {
      key: acme.admin,
      body: { name: "unique-one" },
    });
    expect(rename.status).toBe(409);
    expect(rename.body.error.code).toBe("conflict");
  });
});

describe("reserved hook headers", () => {
  it("include every header the egress client refuses to send, so a hook cannot save one", () => {
    expect(UNSENDABLE_HEADERS.filter((name) => !RESERVED_HEADERS.has(name))).toEqual([]);
  });
});
