// A real HTTP receiver on 127.0.0.1 for callback and fetch tests: records every request and
// answers with whatever the test's handler says (status, headers, body, delay). bench/dispatch uses
// it too, keeping nothing (its handler stamps arrival times) so a long run does not fill memory.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export interface ReceiverOptions {
  /** Keep every request in `requests` (default true); false keeps none, for long benchmark runs. */
  keep?: boolean;
  /** How long an idle keep-alive connection stays open; default Node's (5 s). */
  keepAliveMs?: number;
}

export interface Receiver {
  url: string;
  /** Every request so far, in arrival order (empty with `keep: false`). */
  requests: ReceivedRequest[];
  /** How many TCP connections the receiver has accepted so far. */
  readonly connections: number;
  /** Replaces how the receiver answers; the default is 200 "ok". */
  reply(handler: (req: ReceivedRequest) => Reply): void;
  /** Resolves once `requests` holds `count` requests (fails after `timeoutMs`; not for `keep: false`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let connections = 0;
  let handler: (req: ReceivedRequest) => Reply = () => ({ status: 200, body: "ok" });
  const waiters: { count: number; resolve: () => void }[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const parsed = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      if (options.keep !== false) requests.push(request);
      for (const w of waiters.filter((w) => requests.length >= w.count)) w.resolve();
      const reply = handler(request);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(reply.body ?? "");
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  if (options.keepAliveMs !== undefined) server.keepAliveTimeout = options.keepAliveMs;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    reply(next) {
      handler = next;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${requests.length} of ${count} requests arrived`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests);
          },
        });
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
