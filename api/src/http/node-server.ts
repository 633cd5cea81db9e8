// The HTTP server in front of the app. What fails below the app (a request the adapter cannot turn
// into a URL, such as a backslash in the path or a Host of "a b"; a request Node's parser refuses,
// such as 20 KB of headers) gets the one error envelope and a request id too, instead of an empty
// answer.
import { randomUUID } from "node:crypto";
import { createServer, type Server, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";

type Fetch = (request: Request) => Response | Promise<Response>;

function envelope(code: string, message: string): { requestId: string; body: string } {
  const requestId = randomUUID();
  return { requestId, body: JSON.stringify({ error: { code, message, requestId } }) };
}

/**
 * The adapter could not build a Request from what arrived (its RequestError), or, should the app
 * ever let an error escape its own handler, that error: an envelope either way.
 */
function adapterRefusal(error: unknown): Response {
  const refused = error instanceof Error && error.name === "RequestError";
  const { requestId, body } = refused
    ? envelope("bad_request", `the request's target or Host header is not valid (${error.message})`)
    : envelope("internal", "internal error");
  return new Response(body, {
    status: refused ? 400 : 500,
    headers: { "content-type": "application/json", "x-request-id": requestId },
  });
}

/** Node's parser refused the request: answer in the envelope on the raw socket, then close it. */
function parserRefusal(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? 431 : 400;
  const { requestId, body } = tooLarge
    ? envelope("headers_too_large", "the request's headers are too large")
    : envelope("bad_request", "the request is not valid HTTP");
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export function createHttpServer(fetch: Fetch): Server {
  const server = createServer(getRequestListener(fetch, { errorHandler: adapterRefusal }));
  server.on("clientError", parserRefusal);
  return server;
}
