// Protects the answers from below the app: a request the adapter cannot turn into a URL (a
// backslash in the path, a Host of "a b") and one Node's parser refuses (20 KB of headers, garbage)
// get the one error envelope with a request id, not an empty body. Real server on 127.0.0.1.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../api/src/http/node-server";

let server: Server;
let port = 0;

beforeAll(async () => {
  server = createHttpServer(() => new Response("{}", { headers: { "content-type": "application/json" } }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends raw bytes; resolves to the status line's code, the x-request-id header and the body. */
function raw(request: string): Promise<{ status: number; requestId: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = text.split("\r\n\r\n");
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
        requestId: /\r\nx-request-id: ([^\r]+)/i.exec(head)?.[1],
        body,
      });
    });
  });
}

describe("answers from below the app", () => {
  it.each([
    [
      "a backslash in the path",
      "GET /v1/workspaces/a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      400,
    ],
    ["a Host of 'a b'", "GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n", 400],
    ["20 KB of headers", `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ["a request that is not HTTP", "HELLO\r\n\r\n", 400],
  ])("%s gets the envelope and a request id", async (_label, request, status) => {
    const res = await raw(request);
    expect(res.status).toBe(status);
    const body = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.requestId).toBe(res.requestId);
    expect(body.error.code).toEqual(expect.any(String));
    expect(body.error.message).toEqual(expect.any(String));
  });
});
